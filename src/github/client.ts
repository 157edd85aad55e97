import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import type { Log } from '../log/log.js'
import type { GitHubEnv } from './github-env.js'
import { errorMessage } from '../text/error-message.js'

export type GitHubClient = ReturnType<typeof getOctokit>

/** The Octokit for this run, or null when there is nothing to talk to GitHub with (not on GitHub, or no token). */
export function githubClientFor(
  token: string | null,
  github: GitHubEnv | null,
  log: Log
): GitHubClient | null {
  if (github === null || token === null) return null
  return makeGitHubClient(token, github.apiUrl, log)
}

/** How long a request may wait for a rate limit to lift before it gives up (and the post becomes a warning). */
const MAX_WAIT_SECONDS = 120
/** GitHub asks clients to back off on secondary limits; a few waits are fine, an endless loop is not. */
const MAX_SECONDARY_RETRIES = 3

/**
 * The one Octokit the action posts through: REST methods and pagination from @actions/github (which
 * also honours the runner's proxy settings), writes queued one at a time at least a second apart and
 * retried after `retry-after` on secondary rate limits (plugin-throttling), and server errors retried
 * with backoff (plugin-retry). The token goes into the auth header only; Octokit redacts it from errors.
 */
export function makeGitHubClient(token: string, apiUrl: string, log: Log): GitHubClient {
  return getOctokit(
    token,
    {
      baseUrl: apiUrl,
      throttle: {
        onRateLimit: (retryAfter, options, _octokit, retryCount) =>
          waitOrGiveUp('rate limit', retryAfter, options, retryCount, 1, log),
        onSecondaryRateLimit: (retryAfter, options, _octokit, retryCount) =>
          waitOrGiveUp('secondary rate limit', retryAfter, options, retryCount, MAX_SECONDARY_RETRIES, log)
      }
    },
    throttling,
    retry
  )
}

function waitOrGiveUp(
  what: string,
  retryAfter: number,
  options: { method?: string; url?: string },
  retryCount: number,
  maxRetries: number,
  log: Log
): boolean {
  const request = `${options.method ?? ''} ${options.url ?? ''}`.trim()
  if (retryCount >= maxRetries || retryAfter > MAX_WAIT_SECONDS) {
    log.warning(`GitHub ${what} on ${request}: giving up (retry after ${retryAfter}s)`)
    return false
  }
  log.info(`GitHub ${what} on ${request}: retrying in ${retryAfter}s`)
  return true
}

/** The HTTP status of an Octokit error, if it is one. */
export function httpStatus(e: unknown): number | undefined {
  const status = (e as { status?: unknown } | null)?.status
  return typeof status === 'number' ? status : undefined
}

/**
 * One line for a failed request, with what usually fixes it. Only the status and GitHub's message
 * are used: never the request, whose headers hold the token.
 */
export function describeGitHubError(e: unknown, permission: string): string {
  const status = httpStatus(e)
  const message = errorMessage(e)
  if (status === 401) return `${message} (401: the github-token is invalid or expired)`
  if (status === 403 || status === 404) {
    return (
      `${message} (${status}: the token needs \`${permission}\`; a pull request from a fork gets a ` +
      'read-only token: post from a workflow_run workflow instead, see the README)'
    )
  }
  return status === undefined ? message : `${message} (${status})`
}

/**
 * The login of the token's user. GITHUB_TOKEN (an installation token) may not read `/user`; its
 * comments and issues are written by `github-actions[bot]`.
 */
export async function tokenLogin(client: GitHubClient): Promise<string> {
  try {
    return (await client.rest.users.getAuthenticated()).data.login
  } catch (e) {
    if (httpStatus(e) === 403) return GITHUB_ACTIONS_BOT
    throw e
  }
}

export const GITHUB_ACTIONS_BOT = 'github-actions[bot]'

/** Logins compared as GitHub shows them: case-insensitive, and `name[bot]` is the app `name`. */
export function sameLogin(a: string, b: string): boolean {
  const norm = (s: string): string => s.toLowerCase().replace(/\[bot\]$/, '')
  return norm(a) === norm(b)
}
