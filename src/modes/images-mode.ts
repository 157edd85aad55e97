import { join } from 'node:path'
import type { HostContext } from '../host/context.js'
import { announceBuilds } from '../images/build-estimate.js'
import type { Config } from '../inputs/config.js'
import { hostNeeds, prepareHost } from '../host/prepare-host.js'
import { makeProvider } from '../providers/make-provider.js'
import type { Provider } from '../providers/provider.js'
import { escapeMarkdown } from '../report/escape.js'
import type { ModeDeps, ModeResult } from './mode.js'

/**
 * `mode: images`: builds (or takes from the cache) every image of `images` and boots each once, reporting
 * what the guest really runs. Warms the cache for the runs that follow.
 */
export async function imagesMode(config: Config, deps: ModeDeps): Promise<ModeResult> {
  const needs = hostNeeds(config, { buildsImages: true, onRunner: deps.github !== null })
  await prepareHost(config.runnerSetup, needs, deps.host)
  announceBuilds(config.axes.images, config.imageCache, 1, deps.host.log)
  const provider = makeProvider(config, deps.host, deps.remoteCache)
  try {
    const lines = await checkImages(config, provider, deps.host)
    await deps.outputs.summary(`## Node images\n\n${lines.map(l => `- ${escapeMarkdown(l)}`).join('\n')}\n`)
    return { failed: false, reason: `${lines.length} image(s) built and booted` }
  } finally {
    await provider.close()
  }
}

/** Boots every image once, reporting what the guest really runs; fails on an image that does not boot. */
async function checkImages(config: Config, provider: Provider, host: HostContext): Promise<string[]> {
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
