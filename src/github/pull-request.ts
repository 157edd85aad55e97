import type { Log } from '../log/log.js'
import type { GitHubClient } from './client.js'

/** Where the results belong: the pull request (if any) and the commit the check run goes on. */
export interface PostTarget {
  readonly pullRequest: number | null
  /** The tested commit: a pull request's head (not the merge commit the runner checks out). */
  readonly sha: string | null
  /** How it was found, for the log. */
  readonly via: string
}

interface Repo {
  readonly owner: string
  readonly repo: string
}

/**
 * Finds the pull request and commit that a run's results are about.
 *
 * - In a `pull_request` or `pull_request_target` run: that pull request and its head.
 * - In a `workflow_run` run (the fork pattern: the tested run could not post with its read-only
 *   token): the tested run's event file from its artifact, when it names a pull request whose head is
 *   the tested commit (checked against the API, since a fork's run could have written any file);
 *   else `workflow_run.pull_requests`, which GitHub leaves empty for forks; else the open pull
 *   request whose head is the tested commit.
 * - Otherwise no pull request, and the run's commit.
 */
export async function resolveTarget(
  client: GitHubClient,
  repo: Repo,
  event: { readonly name: string; readonly payload: unknown; readonly sha: string | null },
  testedEvent: unknown,
  log: Log
): Promise<PostTarget> {
  const own = pullRequestOf(event.payload)
  if (own !== null) return { pullRequest: own.number, sha: own.headSha, via: `the ${event.name} event` }

  const run = workflowRunOf(event.payload, repo)
  if (event.name !== 'workflow_run' || run === null) {
    const tested = pullRequestOf(testedEvent)
    // Same-run fan-out: the shards' event file is this run's own, so it needs no check.
    if (tested !== null) return { pullRequest: tested.number, sha: tested.headSha, via: 'the event file' }
    return { pullRequest: null, sha: event.sha, via: `the ${event.name || 'run'}'s commit` }
  }

  const tested = pullRequestOf(testedEvent)
  if (tested !== null) {
    if (tested.headSha === run.headSha && (await headOf(client, repo, tested.number)) === run.headSha) {
      return { pullRequest: tested.number, sha: run.headSha, via: "the tested run's event file" }
    }
    log.warning(
      `The event file names pull request #${tested.number}, whose head is not the tested commit ${run.headSha}: ignored`
    )
  }
  const listed = run.pullRequests[0]
  if (listed !== undefined)
    return { pullRequest: listed, sha: run.headSha, via: 'workflow_run.pull_requests' }

  const pulls = await client.paginate(client.rest.pulls.list, { ...repo, state: 'open', per_page: 100 })
  const matching = pulls.filter(p => p.head.sha === run.headSha).sort((a, b) => b.number - a.number)
  if (matching.length > 1) {
    log.warning(
      `Several open pull requests have head ${run.headSha} (${matching.map(p => `#${p.number}`).join(', ')}): posting on the newest`
    )
  }
  const found = matching[0]
  return found === undefined
    ? { pullRequest: null, sha: run.headSha, via: 'the tested commit (no open pull request has it as head)' }
    : { pullRequest: found.number, sha: run.headSha, via: 'the head sha of the tested run' }
}

async function headOf(client: GitHubClient, repo: Repo, number: number): Promise<string | null> {
  try {
    return (await client.rest.pulls.get({ ...repo, pull_number: number })).data.head.sha
  } catch {
    return null
  }
}

function pullRequestOf(payload: unknown): { number: number; headSha: string } | null {
  const pr = field(payload, 'pull_request')
  const number = field(pr, 'number')
  const sha = field(field(pr, 'head'), 'sha')
  return typeof number === 'number' && typeof sha === 'string' ? { number, headSha: sha } : null
}

function workflowRunOf(payload: unknown, repo: Repo): { headSha: string; pullRequests: number[] } | null {
  const run = field(payload, 'workflow_run')
  const sha = field(run, 'head_sha')
  if (typeof sha !== 'string') return null
  const listed = field(run, 'pull_requests')
  // The list can hold pull requests of another repository that has a branch of the same name (a fork's
  // own pull requests): only those into this repository count.
  const ours = (p: unknown): boolean => {
    const url = field(field(field(p, 'base'), 'repo'), 'url')
    return (
      typeof url !== 'string' || url.toLowerCase().endsWith(`/repos/${repo.owner}/${repo.repo}`.toLowerCase())
    )
  }
  const pullRequests = Array.isArray(listed)
    ? listed
        .filter(ours)
        .map(p => field(p, 'number'))
        .filter((n): n is number => typeof n === 'number')
    : []
  return { headSha: sha, pullRequests }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined
}
