import { parseCellId } from '../src/plan/cell.js'
import type { CellResult, Outcome } from '../src/results/cell-result.js'

type Extra = Partial<
  Pick<
    CellResult,
    | 'tier'
    | 'durationSeconds'
    | 'versions'
    | 'logs'
    | 'tiers'
    | 'finishedAt'
    | 'findings'
    | 'notes'
    | 'cause'
    | 'lintCheck'
  >
>

/**
 * A valid CellResult for tests: the outcome's tagged fields plus neutral defaults for the rest. The id is
 * read as parseCellId reads it, so a three-part id gives the kubespray variant (and a four-part `id`).
 */
export function cellResult(id: string, outcome: Outcome, extra: Extra = {}): CellResult {
  const cell = parseCellId(id)
  if (cell === undefined) throw new Error(`not a cell id: ${id}`)
  return {
    ...outcome,
    ...cell,
    tier: 'join',
    durationSeconds: 1,
    versions: {},
    logs: [],
    tiers: [],
    finishedAt: '2026-01-01T00:00:00Z',
    ...extra
  }
}
