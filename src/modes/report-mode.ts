import { downloadRunArtifacts } from '../github/artifact-transport.js'
import type { Config } from '../inputs/config.js'
import { parseCellId } from '../plan/cell.js'
import { planCells } from '../plan/plan.js'
import { publishResults } from '../publish/publish-results.js'
import { RESULTS_JSON, RESULTS_JSONL, collectResults } from '../results/results-store.js'
import { publishDeps, type ModeDeps, type ModeResult } from './mode.js'

/** `mode: report`: the shards' results (downloaded as artifacts on GitHub) merged, gated and posted once. */
export async function reportMode(config: Config, deps: ModeDeps): Promise<ModeResult> {
  const downloadFailure = await downloadRunArtifacts(config, { github: deps.github, log: deps.host.log })
  const results = collectResults(config.outputDir)
  if (results.length === 0) {
    const why = downloadFailure ?? `download the shards' artifacts there first`
    throw new Error(
      `mode report found no ${RESULTS_JSONL} or ${RESULTS_JSON} under ${config.outputDir}: ${why}`
    )
  }
  const planned = planCells(config)
  const known = new Set(planned.map(c => c.id))
  const extra = results.filter(r => !known.has(r.id)).flatMap(r => parseCellId(r.id) ?? [])
  deps.host.log.info(`Merged ${results.length} cell results from ${config.outputDir}`)
  return publishResults(config, publishDeps(deps), { results, planned: [...planned, ...extra], gate: true })
}
