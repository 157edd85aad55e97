import { existsSync, readFileSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import type { CellResult } from '../src/results/cell-result.js'
import { PROBE_STEPS, TIMINGS_FILE, type StepTiming } from '../src/scenarios/probe/trace.js'

/** The value at quantile `q` (nearest rank) of `xs`; 0 for none. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return 0
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}

export interface StepStats {
  readonly cells: number
  readonly median_seconds: number
  readonly p90_seconds: number
}

/**
 * Where a probe cell's time goes, per image: for each stage (in the order a cell runs them) the median
 * and p90 seconds over the cells that reached it, from each cell's last attempt's timings.json (under
 * `outputDir`, which the results' log paths are relative to); beside
 * them the cells' own seconds, so the stages' sum can be read against the whole.
 */
export function stepProfile(
  cells: readonly CellResult[],
  outputDir: string
): Record<string, Record<string, StepStats>> {
  const byImage = new Map<string, { timings: StepTiming[]; total: number }[]>()
  for (const cell of cells) {
    // A result's logs are relative to the run's output dir.
    const log = [...cell.logs].reverse().find(p => basename(p) === TIMINGS_FILE)
    const file = log === undefined ? undefined : resolve(outputDir, log)
    if (file === undefined || !existsSync(file)) continue
    const timings = JSON.parse(readFileSync(file, 'utf8')) as StepTiming[]
    byImage.set(cell.image, [...(byImage.get(cell.image) ?? []), { timings, total: cell.durationSeconds }])
  }
  const stats = (xs: number[]): StepStats => ({
    cells: xs.length,
    median_seconds: round2(quantile(xs, 0.5)),
    p90_seconds: round2(quantile(xs, 0.9))
  })
  return Object.fromEntries(
    [...byImage].map(([image, runs]) => {
      const steps = PROBE_STEPS.flatMap(step => {
        // A stage run more than once in a cell counts its sum.
        const xs = runs.flatMap(r => {
          const mine = r.timings.filter(t => t.step === step)
          return mine.length === 0 ? [] : [mine.reduce((sum, t) => sum + t.seconds, 0)]
        })
        return xs.length === 0 ? [] : [[step, stats(xs)] as const]
      })
      return [image, { ...Object.fromEntries(steps), whole_cell: stats(runs.map(r => r.total)) }]
    })
  )
}

const round2 = (x: number) => Math.round(x * 100) / 100
