import type { Config } from '../inputs/config.js'
import { planCells } from '../plan/plan.js'
import { defaultShardCount, strategyMatrix } from '../plan/shard.js'
import { PLAN_JSON, writeOutputFile } from '../publish/files.js'
import type { ModeDeps, ModeResult } from './mode.js'

/** `mode: plan`: the cells as a strategy.matrix of shards, in the `matrix` output and plan.json. */
export function planMode(config: Config, deps: Pick<ModeDeps, 'host' | 'outputs'>): ModeResult {
  const cells = planCells(config)
  const count = config.shards ?? defaultShardCount(cells)
  const matrix = strategyMatrix(cells, count)
  const path = writeOutputFile(config.outputDir, PLAN_JSON, `${JSON.stringify(matrix, null, 2)}\n`)
  deps.outputs.set('matrix', JSON.stringify(matrix))
  deps.outputs.set('cells', String(cells.length))
  deps.host.log.info(`Planned ${cells.length} cells in ${count} shard(s); strategy.matrix written to ${path}`)
  return { failed: false, reason: `planned ${cells.length} cells` }
}
