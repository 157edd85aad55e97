import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import type { CriApiVersion, CriProtos } from './cri-api.js'
import { errorMessage } from '../text/error-message.js'

const INIT_WAIT_MS = 30_000
const NOT_INITIALIZED = /server is not initialized yet/

/**
 * A minimal CRI client: the calls kubelet makes to pull an image and run a container in a pod, over a
 * unix socket that reaches the node's containerd. It stands in for kubelet in the probe, and for crictl
 * where crictl cannot be had.
 */
export class CriClient {
  private constructor(
    readonly apiVersion: CriApiVersion,
    private readonly runtime: grpc.Client,
    private readonly images: grpc.Client
  ) {}

  /**
   * Connects and settles the API version: runtime.v1 first, runtime.v1alpha2 when containerd says v1 is
   * unimplemented (containerd 1.4).
   */
  static async connect(socketPath: string, protos: CriProtos): Promise<CriClient> {
    let last: Error | undefined
    for (const version of ['v1', 'v1alpha2'] as const) {
      let client: CriClient | undefined
      try {
        client = CriClient.create(socketPath, protos, version)
        await client.versionOnceReady()
        return client
      } catch (e) {
        client?.close()
        last = e as Error
        if (grpcCode(e) !== grpc.status.UNIMPLEMENTED) break
      }
    }
    throw new Error(`the CRI at ${socketPath} did not answer: ${last?.message ?? 'no reply'}`)
  }

  private static create(socketPath: string, protos: CriProtos, version: CriApiVersion): CriClient {
    const definition = protoLoader.loadSync(protos.files[version], {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true
    })
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      runtime: Record<CriApiVersion, Record<'RuntimeService' | 'ImageService', grpc.ServiceClientConstructor>>
    }
    const services = loaded.runtime[version]
    const target = `unix://${socketPath}`
    const credentials = grpc.credentials.createInsecure()
    return new CriClient(
      version,
      new services.RuntimeService(target, credentials),
      new services.ImageService(target, credentials)
    )
  }

  /**
   * containerd serves its socket before the CRI plugin has initialised, and the CRI says so (`server is
   * not initialized yet`) for a moment after containerd reports itself started: that is waited out.
   */
  private async versionOnceReady(): Promise<CriVersion> {
    const deadline = Date.now() + INIT_WAIT_MS
    for (;;) {
      try {
        return await this.version()
      } catch (e) {
        if (!NOT_INITIALIZED.test(errorMessage(e)) || Date.now() > deadline) throw e
        await new Promise(r => setTimeout(r, 100))
      }
    }
  }

  async version(): Promise<CriVersion> {
    const r = await this.call<CriVersion>(this.runtime, 'Version', { version: '' }, 15_000)
    return {
      runtime_name: r.runtime_name,
      runtime_version: r.runtime_version,
      runtime_api_version: r.runtime_api_version
    }
  }

  async pullImage(image: string, timeoutMs: number): Promise<string> {
    const r = await this.call<{ image_ref: string }>(
      this.images,
      'PullImage',
      { image: { image } },
      timeoutMs
    )
    return r.image_ref
  }

  async runPodSandbox(config: PodSandboxConfig, timeoutMs: number): Promise<string> {
    const r = await this.call<{ pod_sandbox_id: string }>(
      this.runtime,
      'RunPodSandbox',
      { config },
      timeoutMs
    )
    return r.pod_sandbox_id
  }

  async createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
    timeoutMs: number
  ): Promise<string> {
    const r = await this.call<{ container_id: string }>(
      this.runtime,
      'CreateContainer',
      { pod_sandbox_id: podSandboxId, config, sandbox_config: sandboxConfig },
      timeoutMs
    )
    return r.container_id
  }

  async startContainer(containerId: string, timeoutMs: number): Promise<void> {
    await this.call(this.runtime, 'StartContainer', { container_id: containerId }, timeoutMs)
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    const r = await this.call<{ status: ContainerStatus }>(
      this.runtime,
      'ContainerStatus',
      { container_id: containerId },
      15_000
    )
    return r.status
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    await this.call(this.runtime, 'StopPodSandbox', { pod_sandbox_id: podSandboxId }, 60_000)
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    await this.call(this.runtime, 'RemovePodSandbox', { pod_sandbox_id: podSandboxId }, 60_000)
  }

  close(): void {
    this.runtime.close()
    this.images.close()
  }

  private call<T>(client: grpc.Client, method: string, request: object, timeoutMs: number): Promise<T> {
    const fn = (client as unknown as Record<string, UnaryMethod<T>>)[method]
    if (fn === undefined) return Promise.reject(new Error(`the CRI ${this.apiVersion} has no ${method}`))
    return new Promise((resolve, reject) => {
      fn.call(client, request, { deadline: Date.now() + timeoutMs }, (error, response) => {
        if (error !== null) reject(new CriError(method, error))
        else resolve(response as T)
      })
    })
  }
}

type UnaryMethod<T> = (
  request: object,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: T) => void
) => void

/** A failed CRI call: the method and containerd's own message, which the classifier reads. */
export class CriError extends Error {
  readonly code: number
  constructor(
    readonly method: string,
    error: grpc.ServiceError
  ) {
    super(`CRI ${method}: ${grpc.status[error.code] ?? error.code}: ${error.details}`)
    this.name = 'CriError'
    this.code = error.code
  }
}

function grpcCode(e: unknown): number | undefined {
  return e instanceof CriError ? e.code : undefined
}

export interface CriVersion {
  readonly runtime_name: string
  readonly runtime_version: string
  readonly runtime_api_version: string
}

/** The fields of the CRI's messages the probe sets (names as in the .proto, keepCase). */
export interface PodSandboxConfig {
  readonly metadata: {
    readonly name: string
    readonly uid: string
    readonly namespace: string
    readonly attempt: number
  }
  readonly log_directory: string
  readonly linux: {
    readonly security_context: { readonly namespace_options: { readonly network: 'NODE' | 'POD' } }
  }
}

export interface ContainerConfig {
  readonly metadata: { readonly name: string; readonly attempt: number }
  readonly image: { readonly image: string }
  readonly command: readonly string[]
  readonly log_path: string
}

export interface ContainerStatus {
  readonly state: 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN'
  readonly exit_code: number
  readonly reason: string
  readonly message: string
}
