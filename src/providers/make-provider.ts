import type { Config } from '../inputs/config.js'
import type { HostContext } from '../host/context.js'
import type { RemoteCache } from '../host/remote-cache.js'
import type { Provider } from './provider.js'
import { DEFAULT_QEMU_OPTIONS, QemuProvider, type QemuProviderOptions } from './qemu/qemu-provider.js'

/** The one place the run's node provider is chosen (qemu today; nspawn and ssh are later variants). */
export function makeProvider(config: Config, host: HostContext, remote: RemoteCache | undefined): Provider {
  return new QemuProvider(qemuOptions(config, remote), host)
}

/** The qemu provider's options for this run: images also go to and come from `remote` when there is one. */
export function qemuOptions(config: Config, remote: RemoteCache | undefined): QemuProviderOptions {
  const images = { dir: config.imageCache, mirror: config.mirror, remote }
  return { ...DEFAULT_QEMU_OPTIONS, images, outbound: config.guestNetwork === 'outbound' }
}
