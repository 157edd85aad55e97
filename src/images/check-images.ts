import { join } from 'node:path'
import type { Config } from '../inputs/config.js'
import type { HostContext } from '../host/context.js'
import type { Provider } from '../providers/provider.js'

/**
 * `mode: images`: builds (or takes from the cache) every configured image and boots each once, reporting
 * what the guest really runs. Warms the cache for the runs that follow; fails on an image that does not boot.
 */
export async function checkImages(config: Config, provider: Provider, host: HostContext): Promise<string[]> {
  const unavailable = await provider.unavailableReason()
  if (unavailable !== null) throw new Error(`cannot boot node images: ${unavailable}`)
  const lines: string[] = []
  for (const image of config.axes.images) {
    if (host.signal.aborted) break
    const node = await provider.boot(image, {
      name: `check-${image.name}`,
      logDir: join(config.outputDir, 'logs', image.name)
    })
    try {
      const f = await node.facts()
      lines.push(
        `${image.name}: kernel ${f.kernel ?? '?'}, OpenZFS ${f.openzfs ?? '?'}, containerd ${f.containerd ?? '?'}, runc ${f.runc ?? '?'}`
      )
      host.log.info(lines.at(-1)!)
    } finally {
      await node.destroy()
    }
  }
  return lines
}
