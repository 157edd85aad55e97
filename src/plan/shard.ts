import type { Cell } from './cell.js'

/** GitHub allows at most 256 jobs in one matrix. */
export const MAX_SHARDS = 256

/** Shard `index` of `count`, 1-based as written in the `shard` input (`2/4`). */
export interface Shard {
  readonly index: number
  readonly count: number
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`
}

/**
 * Splits the ordered cells into `count` contiguous, near-equal chunks. Contiguous because the plan is
 * image-major: cells of one image mostly share a shard, so a job boots few VMs. Pure and deterministic:
 * `mode: run` recomputes the same split from the same inputs.
 */
export function partition(cells: readonly Cell[], count: number): Cell[][] {
  return Array.from({ length: count }, (_, i) =>
    cells.slice(Math.floor((i * cells.length) / count), Math.floor(((i + 1) * cells.length) / count))
  )
}

export function selectShard(cells: readonly Cell[], shard: Shard): Cell[] {
  return partition(cells, shard.count)[shard.index - 1] ?? []
}

/** One job per image unless told otherwise, never more jobs than cells or than GitHub allows. */
export function defaultShardCount(cells: readonly Cell[]): number {
  const images = new Set(cells.map(c => c.image)).size
  return Math.max(1, Math.min(images, cells.length, MAX_SHARDS))
}

export interface StrategyMatrix {
  readonly include: readonly { readonly shard: string; readonly name: string; readonly cells: string }[]
}

/** The JSON a workflow feeds to `strategy.matrix` with `fromJSON`. */
export function strategyMatrix(cells: readonly Cell[], count: number): StrategyMatrix {
  return {
    include: partition(cells, count).map((chunk, i) => ({
      shard: formatShard({ index: i + 1, count }),
      name: [...new Set(chunk.map(c => c.image))].join(' ') || 'empty',
      cells: chunk.map(c => c.id).join(' ')
    }))
  }
}
