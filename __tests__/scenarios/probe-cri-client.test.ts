/**
 * The CRI client against a real gRPC server on a unix socket, serving the CRI definition as writeProtos
 * writes it: the wire, the API version fallback and the errors are gRPC's own, only containerd is absent.
 */
import { join } from 'node:path'
import { afterEach, describe, expect, it } from '@jest/globals'
import * as grpc from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { writeProtos, type CriApiVersion, type CriProtos } from '../../src/scenarios/probe/cri-api.js'
import { CriClient, CriError } from '../../src/scenarios/probe/cri-client.js'
import { tempDir } from '../helpers.js'
import { CRI_PROTO_TEXT } from './cri-proto.js'

type Handler = (
  call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
  callback: grpc.sendUnaryData<unknown>
) => void

/** The methods one API version serves; a service left out answers UNIMPLEMENTED, as containerd 1.4 does for v1. */
type Implementation = Partial<Record<'RuntimeService' | 'ImageService', Record<string, Handler>>>

interface Fake {
  readonly socket: string
  readonly protos: CriProtos
  /** Every call the server received: `v1 Version {"version":""}`. */
  readonly received: string[]
}

const servers: grpc.Server[] = []
const clients: CriClient[] = []

afterEach(() => {
  for (const c of clients.splice(0)) c.close()
  for (const s of servers.splice(0)) s.forceShutdown()
})

function protos(): CriProtos {
  const dir = tempDir()
  writeProtos(dir, CRI_PROTO_TEXT, '0.32.3-1')
  return {
    files: { v1: join(dir, 'runtime-v1.proto'), v1alpha2: join(dir, 'runtime-v1alpha2.proto') },
    version: '0.32.3-1'
  }
}

async function serve(implementations: Partial<Record<CriApiVersion, Implementation>>): Promise<Fake> {
  const fake: Fake = { socket: join(tempDir('zjm-cri-'), 'containerd.sock'), protos: protos(), received: [] }
  const server = new grpc.Server()
  servers.push(server)
  for (const [version, services] of Object.entries(implementations) as [CriApiVersion, Implementation][]) {
    const loaded = grpc.loadPackageDefinition(
      loadSync(fake.protos.files[version], { keepCase: true })
    ) as unknown as {
      runtime: Record<CriApiVersion, Record<string, grpc.ServiceClientConstructor>>
    }
    for (const [name, methods] of Object.entries(services)) {
      const recorded = Object.fromEntries(
        Object.entries(methods).map(([method, handle]): [string, Handler] => [
          method,
          (call, callback) => {
            fake.received.push(`${version} ${method} ${JSON.stringify(call.request)}`)
            handle(call, callback)
          }
        ])
      )
      server.addService(loaded.runtime[version][name]!.service, recorded)
    }
  }
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${fake.socket}`, grpc.ServerCredentials.createInsecure(), e =>
      e === null ? resolve() : reject(e)
    )
  )
  return fake
}

const answersVersion =
  (apiVersion: string): Handler =>
  (_call, callback) =>
    callback(null, {
      version: '0.1.0',
      runtime_name: 'containerd',
      runtime_version: '1.4.13~ds1',
      runtime_api_version: apiVersion
    })

const fails =
  (code: grpc.status, details: string): Handler =>
  (_call, callback) =>
    callback({ code, details, name: 'Error', message: details })

async function connect(fake: Fake): Promise<CriClient> {
  const client = await CriClient.connect(fake.socket, fake.protos)
  clients.push(client)
  return client
}

describe('CriClient.connect', () => {
  it('falls back to v1alpha2 when the runtime does not serve v1 (containerd 1.4)', async () => {
    const fake = await serve({ v1alpha2: { RuntimeService: { Version: answersVersion('v1alpha2') } } })
    const client = await connect(fake)
    expect(client.apiVersion).toBe('v1alpha2')
    expect(fake.received).toEqual(['v1alpha2 Version {"version":""}'])
    await expect(client.version()).resolves.toEqual({
      runtime_name: 'containerd',
      runtime_version: '1.4.13~ds1',
      runtime_api_version: 'v1alpha2'
    })
  })

  it('uses v1 when the runtime serves it, without trying v1alpha2', async () => {
    const fake = await serve({
      v1: { RuntimeService: { Version: answersVersion('v1') } },
      v1alpha2: { RuntimeService: { Version: answersVersion('v1alpha2') } }
    })
    const client = await connect(fake)
    expect(client.apiVersion).toBe('v1')
    expect(fake.received).toEqual(['v1 Version {"version":""}'])
  })

  it('an error other than UNIMPLEMENTED is not a reason to try v1alpha2: connect fails naming the socket', async () => {
    const fake = await serve({
      v1: { RuntimeService: { Version: fails(grpc.status.UNAVAILABLE, 'connection reset by peer') } },
      v1alpha2: { RuntimeService: { Version: answersVersion('v1alpha2') } }
    })
    const failure = CriClient.connect(fake.socket, fake.protos)
    await expect(failure).rejects.toThrow(
      `the CRI at ${fake.socket} did not answer: CRI Version: UNAVAILABLE: connection reset by peer`
    )
    expect(fake.received).toEqual(['v1 Version {"version":""}'])
  })

  it('a runtime serving neither version fails with the last answer', async () => {
    const fake = await serve({ v1: { ImageService: {} } })
    await expect(CriClient.connect(fake.socket, fake.protos)).rejects.toThrow(
      new RegExp(`^the CRI at ${fake.socket} did not answer: CRI Version: UNIMPLEMENTED`)
    )
  })

  it('nothing listening on the socket fails naming it', async () => {
    const socket = join(tempDir('zjm-cri-'), 'absent.sock')
    await expect(CriClient.connect(socket, protos())).rejects.toThrow(`the CRI at ${socket} did not answer: `)
  })
})

describe('CriClient calls', () => {
  it('PullImage sends the image spec and returns the image ref', async () => {
    const fake = await serve({
      v1: {
        RuntimeService: { Version: answersVersion('v1') },
        ImageService: { PullImage: (_call, callback) => callback(null, { image_ref: 'sha256:abc' }) }
      }
    })
    const client = await connect(fake)
    await expect(client.pullImage('127.0.0.1:5000/zjm/probe:1', 10_000)).resolves.toBe('sha256:abc')
    expect(fake.received.at(-1)).toBe('v1 PullImage {"image":{"image":"127.0.0.1:5000/zjm/probe:1"}}')
  })

  it('a failed call is a CriError with the method, the status name and the runtime’s message', async () => {
    const details =
      'failed to create containerd task: failed to mount rootfs component &{overlay overlay []}: invalid argument: unknown'
    const fake = await serve({
      v1alpha2: {
        RuntimeService: { Version: answersVersion('v1alpha2') },
        ImageService: { PullImage: fails(grpc.status.UNKNOWN, details) }
      }
    })
    const client = await connect(fake)
    const error = await client.pullImage('x', 10_000).then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(CriError)
    const e = error as CriError
    expect(e.method).toBe('PullImage')
    expect(e.code).toBe(grpc.status.UNKNOWN)
    expect(e.name).toBe('CriError')
    expect(e.message).toBe(`CRI PullImage: UNKNOWN: ${details}`)
  })

  it('the stop call reaches the runtime with the sandbox id', async () => {
    const fake = await serve({
      v1: { RuntimeService: { Version: answersVersion('v1'), StopPodSandbox: (_call, cb) => cb(null, {}) } }
    })
    const client = await connect(fake)
    await client.stopPodSandbox('pod-1')
    expect(fake.received.at(-1)).toBe('v1 StopPodSandbox {"pod_sandbox_id":"pod-1"}')
  })

  it('a method the definition lacks is refused before anything is sent', async () => {
    const fake = await serve({ v1: { RuntimeService: { Version: answersVersion('v1') } } })
    const client = await connect(fake)
    await expect(client.removePodSandbox('pod-1')).rejects.toThrow('the CRI v1 has no RemovePodSandbox')
    expect(fake.received).toEqual(['v1 Version {"version":""}'])
  })
})
