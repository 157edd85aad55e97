import type { RemoteCache } from '../host/remote-cache.js'
import type { Tier } from '../plan/axes.js'
import { joinScenarios, type JoinEnv } from './join/join-scenario.js'
import { lintScenario } from './lint/lint-scenario.js'
import { probeScenario, type ProbeEnv } from './probe/probe-scenario.js'
import { ansibleForRun } from './run-ansible.js'
import type { Scenario } from './scenario.js'

/**
 * What scenarios may use of the run: its config, the host, the node provider, whether on a runner,
 * the checkout. The run's Ansible is made here, once, for every tier that needs it.
 */
export type ScenarioEnv = Omit<ProbeEnv & JoinEnv, 'ansible'> & {
  /** GitHub's cache service (the Ansible wheels go there on runners); undefined where there is none. */
  readonly remoteCache: RemoteCache | undefined
}

/** Builds the run's scenario for each tier; the pipeline calls it once per run. */
export type ScenarioFactory = (env: ScenarioEnv) => (tier: Tier) => Scenario

/**
 * Picks the scenario for each tier: the one place that knows which implementations exist.
 * A tier without one yields a scenario whose cells are skipped with the reason, never passed.
 */
export const makeScenarios: ScenarioFactory = base => {
  const env = { ...base, ansible: ansibleForRun(base) }
  const probe = probeScenario(env)
  const lint = lintScenario({ config: env.config, log: env.host.log, kubespray: env.kubespray })
  const { join, rejoin } = joinScenarios(env)
  return tier => {
    switch (tier) {
      case 'lint':
        return lint
      case 'probe':
        return probe
      case 'join':
        return join
      case 'rejoin':
        return rejoin
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
