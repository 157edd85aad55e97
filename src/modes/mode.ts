import type { HostContext } from '../host/context.js'
import type { GitHubEnv } from '../github/github-env.js'
import type { RemoteCache } from '../host/remote-cache.js'
import type { Outputs } from '../publish/outputs.js'
import type { Conclusion, PublishDeps } from '../publish/publish-results.js'
import type { ScenarioFactory } from '../scenarios/registry.js'

/** What every mode is given: the entry points (action, CLI, bench) build it once. */
export interface ModeDeps {
  /** Commands, the cleanup ledger, the log, the cancel signal and scratch space of this run. */
  readonly host: HostContext
  readonly outputs: Outputs
  /** Makes each tier's scenario; given the run's config, host and a provider made on first use. */
  readonly scenarios: ScenarioFactory
  /** Where this run is on GitHub; null outside GitHub Actions, where nothing is posted, uploaded or downloaded. */
  readonly github: GitHubEnv | null
  /** GitHub's cache service for images and wheels, built by the entry point; undefined where there is none. */
  readonly remoteCache: RemoteCache | undefined
  readonly now?: () => Date
}

/** How a mode ended: `failed` fails the step (exit 1 for the CLI), `reason` says why in one line. */
export type ModeResult = Conclusion

/** What the publish stage takes of a mode's deps. */
export function publishDeps(deps: ModeDeps): PublishDeps {
  return { log: deps.host.log, outputs: deps.outputs, github: deps.github, now: deps.now }
}
