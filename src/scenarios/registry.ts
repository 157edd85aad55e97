import type { Tier } from '../plan/axes.js'
import { probeScenario, type ProbeEnv } from './probe/probe-scenario.js'
import type { Scenario } from './scenario.js'

/** What scenarios may use of the run: its config, the host and the node provider. */
export type ScenarioEnv = ProbeEnv

/** Builds the run's scenario for each tier; the pipeline calls it once per run. */
export type ScenarioFactory = (env: ScenarioEnv) => (tier: Tier) => Scenario

/**
 * Picks the scenario for each tier: the one place that knows which implementations exist.
 * A tier without one yields a scenario whose cells are skipped with the reason, never passed.
 */
export const makeScenarios: ScenarioFactory = env => {
  const probe = probeScenario(env)
  return tier => {
    switch (tier) {
      case 'lint':
        return unavailable(
          tier,
          'the lint tier (static analysis of the kubespray checkout) is not implemented yet'
        )
      case 'probe':
        return probe
      case 'join':
        return unavailable(tier, 'the join tier (real kubespray scale.yml) is not implemented yet')
      case 'rejoin':
        return unavailable(tier, 'the rejoin tier needs the join tier, which is not implemented yet')
      default: {
        const never: never = tier
        throw new Error(`no scenario for tier ${String(never)}`)
      }
    }
  }
}

export function unavailable(tier: Tier, reason: string): Scenario {
  return { tier, open: () => Promise.resolve({ kind: 'unavailable', reason }) }
}
