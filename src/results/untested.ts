import type { Tier } from '../plan/axes.js'
import { describeCells } from '../plan/cell-set.js'
import type { Cell } from '../plan/cell.js'
import { cellOfResult, type CellResult } from './cell-result.js'

/**
 * Cells a tier did not test, for one cause: the tier (null when no tier was tried), whether it skipped
 * them or errored, and the first line of its reason.
 */
export interface UntestedGroup {
  readonly tier: Tier | null
  readonly status: 'error' | 'skipped'
  readonly text: string
  readonly cells: readonly Cell[]
}

/**
 * Whether any tier tested any cell: a pass or a failure was really observed. A skip proves nothing and
 * an error is the harness's own failure, so a run of only those tested nothing.
 */
export function testedAnything(results: readonly CellResult[]): boolean {
  return results.some(r =>
    r.tiers.some(t => t.status === 'pass' || t.status === 'flaky' || t.status === 'fail')
  )
}

/** Every tier's skips and errors over the results, grouped by cause, in the order first met. */
export function untestedGroups(results: readonly CellResult[]): UntestedGroup[] {
  const groups = new Map<
    string,
    { tier: Tier | null; status: 'error' | 'skipped'; text: string; cells: Cell[] }
  >()
  for (const r of results) {
    for (const cause of causesOf(r)) {
      const text = cause.text.split('\n')[0] ?? ''
      const key = `${cause.tier ?? ''}\u0000${cause.status}\u0000${text}`
      const group = groups.get(key) ?? { ...cause, text, cells: [] }
      group.cells.push(cellOfResult(r))
      groups.set(key, group)
    }
  }
  return [...groups.values()]
}

/** `lint skipped 36 cells (*): no kubespray checkout …`, the cells named by their pattern among `all`. */
export function describeUntested(g: UntestedGroup, all: readonly Cell[]): string {
  const n = g.cells.length
  const what = `${g.tier ?? 'every tier'} ${g.status === 'error' ? 'errored on' : 'skipped'}`
  return `${what} ${n} ${n === 1 ? 'cell' : 'cells'} (${describeCells(g.cells, all)}): ${g.text}`
}

/** Why each tier did not test the cell; a cell no tier was tried on has its own reason. */
function causesOf(r: CellResult): Omit<UntestedGroup, 'cells'>[] {
  if (r.tiers.length === 0) {
    return [{ tier: null, status: 'skipped', text: r.status === 'skipped' ? r.reason : r.status }]
  }
  return r.tiers.flatMap((t): Omit<UntestedGroup, 'cells'>[] => {
    if (t.status === 'error') return [{ tier: t.tier, status: 'error', text: t.message }]
    if (t.status === 'skipped') return [{ tier: t.tier, status: 'skipped', text: t.reason }]
    return []
  })
}
