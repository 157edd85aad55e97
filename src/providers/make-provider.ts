import type { Config } from '../inputs/config.js'
import type { HostContext } from '../host/context.js'
import { actionsCache } from '../host/remote-cache.js'
import { DEFAULT_QEMU_OPTIONS, QemuProvider } from './qemu/qemu-provider.js'

/** The one place the run's node provider is chosen (qemu today; nspawn and ssh are later variants). */
export function makeProvider(config: Config, host: HostContext): QemuProvider {
  // On runners, images also go to and come from GitHub's cache service; elsewhere `remote` is undefined.
  const images = { dir: config.imageCache, mirror: config.mirror, remote: actionsCache(host.log) }
  const outbound = config.guestNetwork === 'outbound'
  return new QemuProvider({ ...DEFAULT_QEMU_OPTIONS, images, outbound }, host)
}
