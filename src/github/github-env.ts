import type { OutputName } from '../inputs/spec.js'

/**
 * What the runner tells a step about where it runs, read once from the GITHUB_* variables. Nothing
 * else reads them, so tests describe a run with a plain object.
 */
export interface GitHubEnv {
  readonly owner: string
  readonly repo: string
  /** REST base URL: GITHUB_API_URL (GitHub Enterprise Server has its own), else https://api.github.com. */
  readonly apiUrl: string
  readonly serverUrl: string
  readonly eventName: string
  /** The event payload of this run, e.g. the `pull_request` event; null when the runner gave none. */
  readonly eventPath: string | null
  readonly sha: string | null
  readonly runId: number | null
  readonly runAttempt: number
  /** The workflow file of this run relative to the repository (from GITHUB_WORKFLOW_REF), e.g. `.github/workflows/zfs-join.yml`. */
  readonly workflowPath: string | null
  /** Whether the runner gave this step the artifact service (ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL). */
  readonly artifactService: boolean
}

/** null outside GitHub Actions (no GITHUB_REPOSITORY): nothing is posted then. */
export function readGitHubEnv(env: NodeJS.ProcessEnv): GitHubEnv | null {
  const [owner, repo, ...rest] = (env.GITHUB_REPOSITORY ?? '').split('/')
  if (!owner || !repo || rest.length > 0) return null
  const runId = Number(env.GITHUB_RUN_ID)
  const attempt = Number(env.GITHUB_RUN_ATTEMPT)
  return {
    owner,
    repo,
    apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    serverUrl: (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, ''),
    eventName: env.GITHUB_EVENT_NAME ?? '',
    eventPath: env.GITHUB_EVENT_PATH || null,
    sha: env.GITHUB_SHA || null,
    runId: Number.isSafeInteger(runId) && runId > 0 ? runId : null,
    runAttempt: Number.isSafeInteger(attempt) && attempt > 0 ? attempt : 1,
    workflowPath: workflowPath(env.GITHUB_WORKFLOW_REF, `${owner}/${repo}/`),
    artifactService: Boolean(env.ACTIONS_RUNTIME_TOKEN) && Boolean(env.ACTIONS_RESULTS_URL)
  }
}

/** `octo/kubespray/.github/workflows/zfs.yml@refs/pull/1/merge` → `.github/workflows/zfs.yml`. */
function workflowPath(ref: string | undefined, prefix: string): string | null {
  if (ref === undefined || !ref.startsWith(prefix)) return null
  // Branch names may hold `@` (`user@feature`): the path ends where the ref begins.
  const rest = ref.slice(prefix.length)
  const at = rest.indexOf('@refs/')
  const path = at >= 0 ? rest.slice(0, at) : rest.replace(/@[^@]*$/, '')
  return path === '' ? null : path
}

/** The web page of a run, for links in comments and issues. */
export function runUrl(env: GitHubEnv, runId: number | null = env.runId): string | null {
  return runId === null ? null : `${env.serverUrl}/${env.owner}/${env.repo}/actions/runs/${runId}`
}

/**
 * Where the GitHub steps report the URLs they made (comment-url, check-run-url, issue-url, artifact):
 * the step's outputs, which the publish stage owns and passes in.
 */
export interface OutputSink {
  set(name: OutputName, value: string): void
}
