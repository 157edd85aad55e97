import { existsSync, readFileSync } from 'node:fs'
import type { Config } from '../inputs/config.js'
import type { Log } from '../log/log.js'
import { checkAnnotations, type LocateVariables } from '../report/annotations.js'
import { MatrixCounts } from '../report/counts.js'
import { stateMarker, titleMarker } from '../report/markers.js'
import { GITHUB_MARKDOWN_LIMIT } from '../report/report-markdown.js'
import type { CellResult } from '../results/cell-result.js'
import { publishCheckRun } from './check-run.js'
import { describeGitHubError, tokenLogin, type GitHubClient } from './client.js'
import { runUrl, type GitHubEnv, type OutputSink } from './github-env.js'
import { resolveTarget, type PostTarget } from './pull-request.js'
import { upsertStickyComment } from './sticky-comment.js'
import { updateTrackingIssue } from './tracking-issue.js'
import { errorMessage } from '../text/error-message.js'

/** A check-run summary takes one character less than a comment. */
const CHECK_SUMMARY_MAX = GITHUB_MARKDOWN_LIMIT - 1

export interface PostRequest {
  readonly config: Config
  readonly env: GitHubEnv
  readonly results: readonly CellResult[]
  /** The gate's verdict. */
  readonly gate: { readonly failed: boolean; readonly reason: string }
  /** The Markdown report fitted into `maxChars`, ending with `footer` (trusted Markdown) when it fits. */
  readonly report: (maxChars: number, footer: string) => string
  /** The tested run's event payload from its artifact (mode report), or undefined. */
  readonly testedEvent: unknown
  /** Where the kubespray variables of a failed cell's fix are defined, for annotations. */
  readonly locate: LocateVariables
  /** When the run finished, for the tracking issue's history. */
  readonly finishedAt: Date
}

export interface PostDeps {
  readonly client: GitHubClient
  readonly log: Log
  readonly outputs: OutputSink
}

/** What each posting step shares. */
interface Posting {
  readonly req: PostRequest
  readonly deps: PostDeps
  readonly repo: { readonly owner: string; readonly repo: string }
  readonly target: PostTarget
  readonly counts: MatrixCounts
  /** Trusted Markdown under every report: a link to the run. */
  readonly footer: string
  /** The token's login, asked for once and only when a step needs it. */
  readonly login: () => Promise<string>
}

/**
 * Posts the matrix: the sticky pull-request comment, the check run and the tracking issue, each as
 * the inputs ask. Each is tried on its own; a failure is a warning naming the permission it needs and
 * never fails the step or hides the job summary, which is written before this runs.
 */
export async function postResults(req: PostRequest, deps: PostDeps): Promise<void> {
  const { env } = req
  const { client, log } = deps
  const repo = { owner: env.owner, repo: env.repo }
  const url = runUrl(env)
  let login: Promise<string> | undefined
  const event = { name: env.eventName, payload: readEvent(env.eventPath, log), sha: env.sha }
  const target =
    (await attempt(log, 'find the pull request and commit to post on', 'pull-requests: read', () =>
      resolveTarget(client, repo, event, req.testedEvent, log)
    )) ?? ({ pullRequest: null, sha: env.sha, via: 'the run' } satisfies PostTarget)
  if (target.pullRequest !== null) {
    log.info(`Posting on pull request #${target.pullRequest} (found from ${target.via})`)
  }
  const posting: Posting = {
    req,
    deps,
    repo,
    target,
    counts: new MatrixCounts(req.results),
    footer: url === null ? '' : `<sub>[Run #${env.runId}](${url})</sub>`,
    login: () => (login ??= tokenLogin(client))
  }
  await postComment(posting)
  await postCheckRun(posting)
  await postIssue(posting)
}

async function postComment(p: Posting): Promise<void> {
  const { config, results } = p.req
  const { log, outputs } = p.deps
  const mode = config.commentMode
  if (mode === 'off') return
  const number = p.target.pullRequest
  if (number === null) {
    log.info(`No pull request for this run (${p.target.via}): no comment`)
    return
  }
  await attempt(log, `write the comment on pull request #${number}`, 'pull-requests: write', async () => {
    const marker = titleMarker('sticky', config.title)
    const head = `${marker}\n${stateMarker(results)}\n`
    const outcome = await upsertStickyComment(p.deps.client, {
      ...p.repo,
      pullRequest: number,
      body: head + p.req.report(GITHUB_MARKDOWN_LIMIT - head.length, p.footer),
      marker,
      mode,
      failing: p.req.gate.failed || p.counts.failed + p.counts.errored > 0,
      login: await p.login()
    })
    if (outcome.kind === 'not-needed') {
      log.info(`Pull request #${number}: no comment (${outcome.reason})`)
      return
    }
    log.info(`Pull request #${number}: comment ${outcome.kind} ${outcome.url}`)
    outputs.set('comment-url', outcome.url)
  })
}

async function postCheckRun(p: Posting): Promise<void> {
  const { config, env, results } = p.req
  const { log, outputs } = p.deps
  if (!config.checkRun) return
  const sha = p.target.sha
  if (sha === null) {
    log.info('No commit sha for this run: no check run')
    return
  }
  await attempt(log, `create the check run on ${sha}`, 'checks: write', async () => {
    const fallback = env.workflowPath === null ? null : { path: env.workflowPath, line: 1 }
    const annotations = checkAnnotations(results, p.req.locate, fallback)
    const url = await publishCheckRun(p.deps.client, {
      ...p.repo,
      name: config.title,
      headSha: sha,
      conclusion: p.req.gate.failed ? 'failure' : 'success',
      title: p.counts.summaryLine(),
      summary: p.req.report(CHECK_SUMMARY_MAX, p.footer),
      annotations
    })
    log.info(`Check run "${config.title}" on ${sha}: ${annotations.length} annotation(s) ${url}`)
    outputs.set('check-run-url', url)
  })
}

async function postIssue(p: Posting): Promise<void> {
  const { config, env, results } = p.req
  const { log, outputs } = p.deps
  const wanted =
    config.trackingIssue === 'always' || (config.trackingIssue === 'auto' && env.eventName === 'schedule')
  if (!wanted) return
  await attempt(log, 'update the tracking issue', 'issues: write', async () => {
    const issue = await updateTrackingIssue(p.deps.client, {
      ...p.repo,
      title: config.title,
      label: config.issueLabel,
      marker: titleMarker('issue', config.title),
      login: await p.login(),
      results,
      run: { runId: env.runId, url: runUrl(env), finishedAt: p.req.finishedAt.toISOString() },
      keep: config.issueHistory,
      closeWhenPassing: config.closeIssue,
      report: max => p.req.report(max, p.footer)
    })
    const change = issue.transition === undefined ? '' : ` and ${issue.transition}`
    log.info(`Tracking issue #${issue.number} ${issue.action}${change} (${issue.state}): ${issue.url}`)
    outputs.set('issue-url', issue.url)
  })
}

/** Runs one posting step; a failure becomes a warning saying what could not be posted and why. */
async function attempt<T>(
  log: Log,
  what: string,
  permission: string,
  step: () => Promise<T>
): Promise<T | undefined> {
  try {
    return await step()
  } catch (e) {
    log.warning(`Could not ${what}: ${describeGitHubError(e, permission)}`)
    return undefined
  }
}

/** An event payload file; an unreadable one is treated as empty (no pull request), with a warning. */
export function readEvent(path: string | null, log: Log): unknown {
  if (path === null || !existsSync(path)) return {}
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown
  } catch (e) {
    log.warning(`Could not read the event file ${path}: ${errorMessage(e)}`)
    return {}
  }
}
