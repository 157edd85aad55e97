import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { loadSync, type PackageDefinition, type ServiceDefinition } from '@grpc/proto-loader'
import { CleanupLedger } from '../../src/cleanup/ledger.js'
import type { Command } from '../../src/exec/command.js'
import type { Executor } from '../../src/exec/executor.js'
import type { HostContext } from '../../src/host/context.js'
import { CRI_API_PACKAGE, obtainCriProtos, writeProtos } from '../../src/containerd/cri-api.js'
import { fakeExecutor, recordingLog, type Reply } from '../fakes.js'
import { tempDir } from '../helpers.js'
import { CRI_PROTO_TEXT } from './cri-proto.js'

const MIRROR = 'http://deb.debian.org/debian'
/** Where the real definition lands once the probe has run on this machine (see obtainCriProtos). */
const REAL_CACHE = '/root/.cache/zfs-join-matrix/images/cri-api'

const LOAD_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true }

function context(exec: Executor): HostContext {
  return {
    exec,
    ledger: new CleanupLedger(join(tempDir(), 'ledger.json')),
    log: recordingLog(),
    signal: new AbortController().signal,
    workDir: tempDir()
  }
}

/** An executor whose every call fails the test: for paths that must not run anything. */
function noCommands(): Executor {
  return fakeExecutor(command => {
    throw new Error(`no command expected, got ${command.program} ${command.args.join(' ')}`)
  })
}

function service(definition: PackageDefinition, name: string): ServiceDefinition {
  const found = definition[name]
  if (found === undefined || !('Version' in found || 'PullImage' in found)) {
    throw new Error(`${name} is not a service of ${Object.keys(definition).join(', ')}`)
  }
  return found
}

describe('writeProtos', () => {
  it('writes both API versions without gogoproto, and the package version', () => {
    const dir = tempDir()
    writeProtos(dir, CRI_PROTO_TEXT, '0.32.3-1')
    expect(readdirSync(dir).sort()).toEqual(['package-version', 'runtime-v1.proto', 'runtime-v1alpha2.proto'])
    const v1 = readFileSync(join(dir, 'runtime-v1.proto'), 'utf8')
    const v1alpha2 = readFileSync(join(dir, 'runtime-v1alpha2.proto'), 'utf8')
    for (const text of [v1, v1alpha2]) {
      expect(text).not.toMatch(/gogo/)
      expect(text).toContain('syntax = "proto3";')
      expect(text).toContain('option go_package = "k8s.io/cri-api/pkg/apis/runtime/v1";')
      expect(text).toContain('rpc Version(VersionRequest) returns (VersionResponse) {}')
    }
    expect(v1).toMatch(/^package runtime\.v1;$/m)
    expect(v1alpha2).toMatch(/^package runtime\.v1alpha2;$/m)
    expect(v1alpha2).not.toMatch(/^package runtime\.v1;$/m)
    // Only the gogo lines go: every other line is kept, in order.
    const kept = CRI_PROTO_TEXT.split('\n').filter(l => !l.includes('gogo'))
    expect(v1.split('\n')).toEqual(kept)
    expect(readFileSync(join(dir, 'package-version'), 'utf8')).toBe('0.32.3-1\n')
  })

  it('the written files load with proto-loader, each under its own package', () => {
    const dir = tempDir()
    writeProtos(dir, CRI_PROTO_TEXT, '0.32.3-1')
    for (const version of ['v1', 'v1alpha2']) {
      const definition = loadSync(join(dir, `runtime-${version}.proto`), LOAD_OPTIONS)
      const runtime = service(definition, `runtime.${version}.RuntimeService`)
      expect(runtime.Version!.path).toBe(`/runtime.${version}.RuntimeService/Version`)
      expect(service(definition, `runtime.${version}.ImageService`).PullImage!.path).toBe(
        `/runtime.${version}.ImageService/PullImage`
      )
      const other = version === 'v1' ? 'v1alpha2' : 'v1'
      expect(definition).not.toHaveProperty([`runtime.${other}.RuntimeService`])
    }
  })

  it('the text as Debian ships it does not load: gogo.proto is not there to import', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'raw.proto'), CRI_PROTO_TEXT)
    expect(() => loadSync(join(dir, 'raw.proto'), LOAD_OPTIONS)).toThrow()
  })

  it('refuses a text that is not the runtime.v1 definition, and writes nothing', () => {
    const dir = tempDir()
    const v1alpha2 = CRI_PROTO_TEXT.replace('package runtime.v1;', 'package runtime.v1alpha2;')
    expect(() => writeProtos(dir, v1alpha2, '1')).toThrow('`package runtime.v1;`')
    expect(() => writeProtos(dir, '', '1')).toThrow('`package runtime.v1;`')
    expect(() => writeProtos(dir, '<html>404 Not Found</html>', '1')).toThrow('`package runtime.v1;`')
    expect(readdirSync(dir)).toEqual([])
  })
})

describe('the real CRI definition', () => {
  const present = existsSync(join(REAL_CACHE, 'runtime-v1.proto'))
  if (!present) console.log(`${REAL_CACHE}/runtime-v1.proto is absent: the real-definition test is skipped`)

  it.each(['v1', 'v1alpha2'])('%s has every call the probe makes', version => {
    if (!present) return
    const definition = loadSync(join(REAL_CACHE, `runtime-${version}.proto`), LOAD_OPTIONS)
    const runtime = service(definition, `runtime.${version}.RuntimeService`)
    for (const method of [
      'Version',
      'RunPodSandbox',
      'CreateContainer',
      'StartContainer',
      'ContainerStatus',
      'StopPodSandbox',
      'RemovePodSandbox'
    ]) {
      expect(runtime).toHaveProperty([method, 'path'], `/runtime.${version}.RuntimeService/${method}`)
    }
    expect(service(definition, `runtime.${version}.ImageService`)).toHaveProperty(
      ['PullImage', 'path'],
      `/runtime.${version}.ImageService/PullImage`
    )
  })
})

describe('obtainCriProtos', () => {
  it('a filled cache is returned as it is, without running anything', async () => {
    const cacheDir = tempDir()
    const dir = join(cacheDir, 'cri-api')
    mkdirSync(dir)
    writeProtos(dir, CRI_PROTO_TEXT, '0.32.3-1')
    const exec = noCommands()
    const r = await obtainCriProtos(cacheDir, MIRROR, context(exec))
    expect(r).toEqual({
      kind: 'ready',
      protos: {
        files: { v1: join(dir, 'runtime-v1.proto'), v1alpha2: join(dir, 'runtime-v1alpha2.proto') },
        version: '0.32.3-1'
      }
    })
  })

  it('an empty cache is filled from the mirror: the .deb’s version, its api.proto, no leftovers', async () => {
    const cacheDir = tempDir()
    const deb = `${CRI_API_PACKAGE.name}_0.32.3-1_all.deb`
    const exec = fakeExecutor((command: Command): Reply => {
      if (command.program === 'apt-get' && command.args.includes('update')) {
        // The private apt root reads the configured mirror's trixie main, nothing of the host's.
        const list = command.args.find(a => a.startsWith('Dir::Etc::SourceList='))!.split('=')[1]!
        expect(readFileSync(list, 'utf8')).toBe(`deb ${MIRROR} trixie main\n`)
        return {}
      }
      if (command.program === 'apt-get' && command.args.includes('download')) {
        expect(command.args.at(-1)).toBe(CRI_API_PACKAGE.name)
        writeFileSync(join(command.cwd!, deb), 'not really a deb')
        return {}
      }
      if (command.program === 'sh') {
        expect(command.args.slice(-2)).toEqual([expect.stringMatching(/\.deb$/), CRI_API_PACKAGE.member])
        return { stdout: CRI_PROTO_TEXT }
      }
      throw new Error(`unexpected command ${command.program}`)
    })
    const r = await obtainCriProtos(cacheDir, MIRROR, context(exec))
    expect(r.kind).toBe('ready')
    if (r.kind !== 'ready') return
    expect(r.protos.version).toBe('0.32.3-1')
    expect(r.protos.files.v1).toBe(join(cacheDir, 'cri-api', 'runtime-v1.proto'))
    expect(readFileSync(r.protos.files.v1alpha2, 'utf8')).toMatch(/^package runtime\.v1alpha2;$/m)
    expect(readdirSync(cacheDir)).toEqual(['cri-api'])
    expect(readdirSync(join(cacheDir, 'cri-api')).sort()).toEqual([
      'package-version',
      'runtime-v1.proto',
      'runtime-v1alpha2.proto'
    ])
    expect(exec.calls.map(([c]) => c.program)).toEqual(['apt-get', 'apt-get', 'sh'])

    // And the next call is a cache hit.
    await expect(obtainCriProtos(cacheDir, MIRROR, context(noCommands()))).resolves.toEqual(r)
  })

  it('offline with an empty cache: unavailable with the reason, nothing left behind, no throw', async () => {
    const cacheDir = tempDir()
    const exec = fakeExecutor(() => ({
      exitCode: 100,
      stderr:
        "Err:1 http://deb.debian.org/debian trixie InRelease\n  Temporary failure resolving 'deb.debian.org'\n"
    }))
    const r = await obtainCriProtos(cacheDir, MIRROR, context(exec))
    expect(r.kind).toBe('unavailable')
    if (r.kind !== 'unavailable') return
    expect(r.reason).toContain(CRI_API_PACKAGE.name)
    expect(r.reason).toContain(MIRROR)
    expect(exec.calls).toHaveLength(1)
    expect(readdirSync(cacheDir)).toEqual([])
  })

  it('a package without the runtime.v1 definition is unavailable, and the cache stays empty', async () => {
    const cacheDir = tempDir()
    const exec = fakeExecutor(command => {
      if (command.program === 'apt-get' && command.args.includes('download')) {
        writeFileSync(join(command.cwd!, `${CRI_API_PACKAGE.name}_9.9_all.deb`), '')
      }
      return command.program === 'sh' ? { stdout: 'syntax = "proto3";\npackage other;\n' } : {}
    })
    const r = await obtainCriProtos(cacheDir, MIRROR, context(exec))
    expect(r).toEqual({ kind: 'unavailable', reason: expect.stringContaining('`package runtime.v1;`') })
    expect(readdirSync(cacheDir)).toEqual([])
  })
})
