import { tierIndex, type Tier } from '../plan/axes.js'
import type { Outcome, TierOutcome } from '../results/cell-result.js'

/**
 * Folds a cell's tier outcomes into the one that decides it.
 * - The deepest tier that really ran decides: reality beats a shallower prediction.
 * - A pass never stands in for a deeper tier that was requested and skipped: the cell is then skipped,
 *   with both facts in the reason (a lint pass is not a probe pass).
 * - A failure stands even when a deeper tier was skipped: it was really observed.
 */
export function decideCell(
  requested: readonly Tier[],
  outcomes: readonly TierOutcome[]
): { readonly outcome: Outcome; readonly tier: Tier | null } {
  const ordered = [...outcomes].sort((a, b) => tierIndex(a.tier) - tierIndex(b.tier))
  const ran = ordered.filter(o => o.status !== 'skipped')
  const deepestRan = ran.at(-1)
  const deepestSkip = [...ordered].reverse().find(o => o.status === 'skipped')

  if (deepestRan === undefined) {
    if (deepestSkip === undefined) {
      return {
        outcome: { status: 'skipped', reason: `no tier ran (requested: ${requested.join(', ')})` },
        tier: null
      }
    }
    return { outcome: strip(deepestSkip), tier: deepestSkip.tier }
  }
  const failing = deepestRan.status === 'fail' || deepestRan.status === 'error'
  if (!failing && deepestSkip !== undefined && tierIndex(deepestSkip.tier) > tierIndex(deepestRan.tier)) {
    return {
      outcome: {
        status: 'skipped',
        reason: `${deepestRan.tier} passed; ${deepestSkip.tier} skipped: ${deepestSkip.reason}`
      },
      tier: deepestSkip.tier
    }
  }
  return { outcome: strip(deepestRan), tier: deepestRan.tier }
}

/** The outcome alone, without the tier bookkeeping fields. */
function strip(o: TierOutcome): Outcome {
  const { tier: _tier, attempts: _attempts, durationSeconds: _d, ...outcome } = o
  return outcome
}
