import { cellOfResult, type CellResult } from '../results/cell-result.js'
import { describeUntested, testedAnything, untestedGroups } from '../results/untested.js'
import type { GateConclusion } from './baseline.js'

/**
 * `fail-on-empty`'s verdict: null when something was tested, else a failure whose reason has one line
 * per distinct cause, with the tier, the count and the cells' pattern (`lint skipped 36 cells (*): …`).
 */
export function emptyRunConclusion(results: readonly CellResult[]): GateConclusion | null {
  if (testedAnything(results)) return null
  const all = results.map(cellOfResult)
  return {
    failed: true,
    reason: [
      `Nothing was tested: no tier passed or failed any of the ${results.length} cells (fail-on-empty; set it to false to allow such a run).`,
      ...untestedGroups(results).map(g => describeUntested(g, all))
    ].join('\n')
  }
}
