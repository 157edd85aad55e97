import type { Tier } from '../plan/axes.js'
import { describeCells } from '../plan/cell-set.js'
import type { Cell } from '../plan/cell.js'
import { cellOfResult, type CellResult } from '../results/cell-result.js'
import type { GateConclusion } from './baseline.js'

/**
 * Whether any tier tested any cell: a pass or a failure was really observed. A skip proves nothing and
 * an error is the harness's own failure, so a run of only those tested nothing.
 */
export function testedAnything(results: readonly CellResult[]): boolean {
  return results.some(r =>
    r.tiers.some(t => t.status === 'pass' || t.status === 'flaky' || t.status === 'fail')
  )
}

/**
 * `fail-on-empty`'s verdict: null when something was tested, else a failure whose reason has one line
 * per distinct cause, with the tier, the count and the cells' pattern (`lint skipped 36 cells (*): …`).
 */
export function emptyRunConclusion(results: readonly CellResult[]): GateConclusion | null {
  if (testedAnything(results)) return null
  const all = results.map(cellOfResult)
  const groups = new Map<string, { label: string; text: string; cells: Cell[] }>()
  for (const r of results) {
    for (const cause of causesOf(r)) {
      const text = cause.text.split('\n')[0] ?? ''
      const label = `${cause.tier ?? 'every tier'} ${cause.status === 'error' ? 'errored on' : 'skipped'}`
      const key = `${label}\u0000${text}`
      const group = groups.get(key) ?? { label, text, cells: [] }
      group.cells.push(cellOfResult(r))
      groups.set(key, group)
    }
  }
  const lines = [...groups.values()].map(g => {
    const n = g.cells.length
    return `${g.label} ${n} ${n === 1 ? 'cell' : 'cells'} (${describeCells(g.cells, all)}): ${g.text}`
  })
  return {
    failed: true,
    reason: [
      `Nothing was tested: no tier passed or failed any of the ${results.length} cells (fail-on-empty; set it to false to allow such a run).`,
      ...lines
    ].join('\n')
  }
}

/** Why each tier did not test the cell; a cell no tier was tried on has its own reason. */
interface UntestedCause {
  readonly tier: Tier | null
  readonly status: 'error' | 'skipped'
  readonly text: string
}

function causesOf(r: CellResult): UntestedCause[] {
  if (r.tiers.length === 0) {
    return [{ tier: null, status: 'skipped', text: r.status === 'skipped' ? r.reason : r.status }]
  }
  return r.tiers.flatMap((t): UntestedCause[] => {
    if (t.status === 'error') return [{ tier: t.tier, status: 'error', text: t.message }]
    if (t.status === 'skipped') return [{ tier: t.tier, status: 'skipped', text: t.reason }]
    return []
  })
}
