import type { Tier } from '../plan/axes.js'
import type { Scenario } from './scenario.js'

/**
 * Picks the scenario for each tier: the one place that knows which implementations exist.
 * A tier without one yields a scenario whose cells are skipped with the reason, never passed.
 */
export function scenarioFor(tier: Tier): Scenario {
  switch (tier) {
    case 'lint':
      return unavailable(
        tier,
        'the lint tier (static analysis of the kubespray checkout) is not implemented yet'
      )
    case 'probe':
      return unavailable(tier, 'the probe tier needs the qemu node provider, which is not implemented yet')
    case 'join':
      return unavailable(tier, 'the join tier needs the qemu node provider, which is not implemented yet')
    case 'rejoin':
      return unavailable(tier, 'the rejoin tier needs the join tier, which is not implemented yet')
    default: {
      const never: never = tier
      throw new Error(`no scenario for tier ${String(never)}`)
    }
  }
}

export function unavailable(tier: Tier, reason: string): Scenario {
  return { tier, open: () => Promise.resolve({ kind: 'unavailable', reason }) }
}
