import type { Config } from '../inputs/config.js'
import type { HostContext } from '../host/context.js'
import type { RemoteCache } from '../host/remote-cache.js'
import type { Provider } from './provider.js'
import { DEFAULT_QEMU_OPTIONS, QemuProvider, type QemuProviderOptions } from './qemu/qemu-provider.js'

/** What one node of the run's provider takes of the host's memory: how many images run at once depends on it. */
export const NODE_MEMORY_MB = DEFAULT_QEMU_OPTIONS.memoryMb

/** How each node is sized for this run (its vCPUs follow how many run at once). */
export interface NodeSizing {
  readonly cpus: number
}

/** The one place the run's node provider is chosen (qemu today; nspawn and ssh are later variants). */
export function makeProvider(
  config: Config,
  host: HostContext,
  remote: RemoteCache | undefined,
  sizing: NodeSizing = { cpus: DEFAULT_QEMU_OPTIONS.cpus }
): Provider {
  return new QemuProvider(qemuOptions(config, remote, sizing), host)
}

/** The qemu provider's options for this run: images also go to and come from `remote` when there is one. */
export function qemuOptions(
  config: Config,
  remote: RemoteCache | undefined,
  sizing: NodeSizing = { cpus: DEFAULT_QEMU_OPTIONS.cpus }
): QemuProviderOptions {
  const images = { dir: config.imageCache, mirror: config.mirror, remote }
  return { ...DEFAULT_QEMU_OPTIONS, cpus: sizing.cpus, images, outbound: config.guestNetwork === 'outbound' }
}
