import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { uploadRunArtifact } from '../github/artifact-transport.js'
import { hostNeeds, prepareHost } from '../host/prepare-host.js'
import { announceBuilds } from '../images/build-estimate.js'
import type { Config } from '../inputs/config.js'
import { resolveCheckout, type Checkout } from '../kubespray/checkout.js'
import { planCells } from '../plan/plan.js'
import { formatShard, selectShard } from '../plan/shard.js'
import { NODE_MEMORY_MB, makeProvider } from '../providers/make-provider.js'
import { publishResults } from '../publish/publish-results.js'
import type { CellResult } from '../results/cell-result.js'
import { RESULTS_JSONL, ResultsJournal } from '../results/results-store.js'
import { imageConcurrency } from '../run/concurrency.js'
import { runCells } from '../run/run-cells.js'
import { publishDeps, type ModeDeps, type ModeResult } from './mode.js'

export interface RunModeOptions {
  /** `mode: all` gates and posts; `mode: run` is one shard, whose report job gates and posts for all. */
  readonly gate: boolean
}

/** `mode: run` and `mode: all`: the planned cells (or one shard of them) through their tiers. */
export async function runMode(config: Config, deps: ModeDeps, options: RunModeOptions): Promise<ModeResult> {
  const all = planCells(config)
  const cells = config.shard === null ? all : selectShard(all, config.shard)
  // Before the journal and any cell: a host that lacks a tool stops here with the command to install it.
  const needs = hostNeeds(config, { buildsImages: false, onRunner: deps.github !== null })
  await prepareHost(config.runnerSetup, needs, deps.host)
  const journalPath = join(config.outputDir, RESULTS_JSONL)
  // A journal belongs to one run: lines left by an earlier run in the same directory would mix in.
  rmSync(journalPath, { force: true })
  const journal = new ResultsJournal(journalPath)
  const shardText =
    config.shard === null ? '' : ` (shard ${formatShard(config.shard)} of ${all.length} cells)`
  deps.host.log.info(`Running ${cells.length} cells × tiers ${config.tiers.join(', ')}${shardText}`)
  deps.outputs.set('cells', String(cells.length))

  const images = new Set(cells.map(c => c.image))
  const concurrency = imageConcurrency(images.size, config.tiers, NODE_MEMORY_MB)
  if (concurrency.images > 1) {
    deps.host.log.info(`Running ${concurrency.images} images at once (${concurrency.reason})`)
  }
  // Made here and cheap until a node boots; closed whatever happens below.
  const provider = makeProvider(config, deps.host, deps.remoteCache, { cpus: concurrency.nodeCpus })
  let checkout: Promise<Checkout> | undefined
  const scenarioFor = deps.scenarios({
    config,
    host: deps.host,
    provider: () => Promise.resolve(provider),
    onRunner: deps.github !== null,
    remoteCache: deps.remoteCache,
    kubespray: () => (checkout ??= resolveCheckout(config, deps.host))
  })
  if (config.tiers.some(t => t !== 'lint')) {
    const used = config.axes.images.filter(i => images.has(i.name))
    announceBuilds(used, config.imageCache, concurrency.images, deps.host.log)
  }
  let results: CellResult[]
  try {
    results = await runCells(cells, {
      ...deps.host,
      scenarioFor,
      now: deps.now,
      config,
      journal,
      concurrency: concurrency.images
    })
  } finally {
    await provider.close()
  }
  if (deps.host.signal.aborted)
    deps.host.log.warning(`Cancelled: reporting the ${results.length} cells that finished`)
  // runCells returns exactly the cells that finished (also when cancelled); the journal holds the same lines.
  const published = await publishResults(config, publishDeps(deps), {
    results,
    planned: cells,
    gate: options.gate
  })
  const uploadFailure = await uploadRunArtifact(config, {
    github: deps.github,
    log: deps.host.log,
    outputs: deps.outputs
  })
  if (deps.host.signal.aborted) return { failed: true, reason: 'cancelled' }
  if (uploadFailure !== null && !published.failed) return { failed: true, reason: uploadFailure }
  return published
}
