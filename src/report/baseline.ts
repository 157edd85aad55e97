import { isPassing, type CellResult } from '../results/cell-result.js'
import type { FailOn } from '../inputs/config.js'
import type { MatrixCounts } from './counts.js'

/** A cell that passed in the baseline and fails or errors now. */
export interface Regression {
  readonly id: string
  readonly was: 'pass' | 'flaky'
  readonly now: 'fail' | 'error'
  /** The signature of the new failure; absent for an error, which has none. */
  readonly signature?: string
  readonly message: string
}

/** A cell that failed or errored in the baseline and passes now. */
export interface Fix {
  readonly id: string
  readonly was: 'fail' | 'error'
  readonly now: 'pass' | 'flaky'
}

/** A cell that passed in the baseline and was skipped now, so it proves nothing either way. */
export interface NotRun {
  readonly id: string
  readonly reason: string
}

/** How this run differs from a baseline run. Cells are matched by id, which is stable across runs. */
export interface BaselineDiff {
  readonly regressions: readonly Regression[]
  readonly fixes: readonly Fix[]
  /** Ids in this run and not in the baseline. */
  readonly newCells: readonly string[]
  /** Ids in the baseline and not in this run. */
  readonly missingCells: readonly string[]
  readonly notRun: readonly NotRun[]
}

export type { FailOn }

/**
 * Compares this run's results with a baseline's. Lists follow the order of `current`, except
 * `missingCells`, which follows `baseline`. When an id occurs twice in one list, the later result wins.
 */
export function compareWithBaseline(
  current: readonly CellResult[],
  baseline: readonly CellResult[]
): BaselineDiff {
  const before = new Map(baseline.map(r => [r.id, r]))
  const now = new Map(current.map(r => [r.id, r]))
  const regressions: Regression[] = []
  const fixes: Fix[] = []
  const newCells: string[] = []
  const notRun: NotRun[] = []

  for (const r of now.values()) {
    const old = before.get(r.id)
    if (old === undefined) {
      newCells.push(r.id)
      continue
    }
    if (old.status === 'pass' || old.status === 'flaky') {
      if (r.status === 'fail') {
        regressions.push({
          id: r.id,
          was: old.status,
          now: 'fail',
          signature: r.signature,
          message: r.message
        })
      } else if (r.status === 'error') {
        regressions.push({ id: r.id, was: old.status, now: 'error', message: r.message })
      } else if (r.status === 'skipped') {
        notRun.push({ id: r.id, reason: r.reason })
      }
    } else if ((old.status === 'fail' || old.status === 'error') && isPassing(r.status)) {
      fixes.push({ id: r.id, was: old.status, now: r.status === 'flaky' ? 'flaky' : 'pass' })
    }
  }
  const missingCells = [...before.keys()].filter(id => !now.has(id))
  return { regressions, fixes, newCells, missingCells, notRun }
}

/** Whether the job should fail, and a sentence saying why (or why not) for the log and the summary. */
export interface GateConclusion {
  readonly failed: boolean
  readonly reason: string
}

/**
 * Applies the `fail-on` policy. `regressions` fails on regressions against the baseline, never on a
 * failure without a baseline (there is nothing to regress from), and always on a harness error (an
 * `error` cell was not tested at all); `failures` fails on any failed or errored cell; `never` only
 * reports.
 */
export function gateConclusion(
  failOn: FailOn,
  counts: MatrixCounts,
  diff: BaselineDiff | undefined
): GateConclusion {
  switch (failOn) {
    case 'regressions': {
      // A cell the harness could not test is not a success, baseline or not: only `never` lets it pass.
      if (counts.errored > 0 && (diff === undefined || diff.regressions.length === 0)) {
        return {
          failed: true,
          reason: `${counts.errored} of ${counts.total} ${counts.total === 1 ? 'cell' : 'cells'} errored: the harness could not test ${counts.errored === 1 ? 'it' : 'them'}, so the matrix is not a result (fail-on: never reports only).`
        }
      }
      if (diff === undefined) {
        return {
          failed: false,
          reason: 'fail-on is "regressions" but no baseline was given, so no cell can regress.'
        }
      }
      const n = diff.regressions.length
      if (n === 0) return { failed: false, reason: 'No regressions against the baseline.' }
      const ids = diff.regressions.map(r => r.id)
      const listed =
        ids.length > 5 ? `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more` : ids.join(', ')
      return {
        failed: true,
        reason: `${n} ${n === 1 ? 'cell' : 'cells'} passed in the baseline and fail now: ${listed}.`
      }
    }
    case 'failures': {
      const n = counts.failed + counts.errored
      return n > 0
        ? { failed: true, reason: `${n} of ${counts.total} cells failed or errored.` }
        : { failed: false, reason: `No cell failed or errored (${counts.summaryLine()}).` }
    }
    case 'never':
      return { failed: false, reason: `fail-on is "never": reporting only (${counts.summaryLine()}).` }
    default: {
      const never: never = failOn
      return never
    }
  }
}
