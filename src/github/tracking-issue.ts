import { isFailing, isPassing, type CellResult } from '../results/cell-result.js'
import {
  addRun,
  flipsAt,
  historyBlock,
  isRegressionFlip,
  readHistory,
  renderHistory,
  type HistoryRun
} from '../report/issue-history.js'
import { GITHUB_MARKDOWN_LIMIT } from '../report/report-markdown.js'
import { sameLogin, type GitHubClient } from './client.js'

export interface TrackingIssue {
  readonly owner: string
  readonly repo: string
  readonly title: string
  readonly label: string
  /** Identifies the one issue per matrix title. */
  readonly marker: string
  /** Whose issues may be updated: the token's user. */
  readonly login: string
  readonly results: readonly CellResult[]
  readonly run: Omit<HistoryRun, 'states'>
  readonly keep: number
  readonly closeWhenPassing: boolean
  /** The report for the body, at most `maxChars` long. */
  readonly report: (maxChars: number) => string
}

export interface IssueOutcome {
  readonly url: string
  readonly number: number
  readonly action: 'created' | 'updated'
  readonly state: 'open' | 'closed'
  /** Set when this run opened or closed it. */
  readonly transition?: 'closed' | 'reopened'
  readonly regressions: number
}

/**
 * Keeps one issue per title: the latest matrix on top, the history of the last runs below. With
 * `closeWhenPassing` it is closed when every cell passes (skipped cells prove nothing, so they keep it
 * open); a closed issue is reopened when a cell that passed in the run before fails now (or, with no
 * run before, when any cell fails).
 */
export async function updateTrackingIssue(client: GitHubClient, t: TrackingIssue): Promise<IssueOutcome> {
  const candidates = await client.paginate(client.rest.issues.listForRepo, {
    owner: t.owner,
    repo: t.repo,
    labels: t.label,
    state: 'all',
    per_page: 100
  })
  const existing = candidates
    .filter(i => i.pull_request === undefined && i.body?.includes(t.marker) === true)
    .filter(i => sameLogin(i.user?.login ?? '', t.login))
    // An open one first, then the newest: a closed duplicate is history, not the tracker.
    .sort((a, b) => Number(b.state === 'open') - Number(a.state === 'open') || b.number - a.number)[0]

  const history = addRun(readHistory(existing?.body ?? undefined), t.results, t.run, t.keep)
  const flips = flipsAt(history, 0)
  const regressions =
    history.runs.length > 1
      ? flips.filter(isRegressionFlip).length
      : t.results.filter(r => isFailing(r.status)).length
  const allPass = t.results.length > 0 && t.results.every(r => isPassing(r.status))
  const body = issueBody(t, historyBlock(history), renderHistory(history))

  if (existing === undefined) {
    const created = await client.rest.issues.create({
      owner: t.owner,
      repo: t.repo,
      title: t.title,
      body,
      labels: [t.label]
    })
    const close = t.closeWhenPassing && allPass
    if (close) await setState(client, t, created.data.number, 'closed')
    return {
      url: created.data.html_url,
      number: created.data.number,
      action: 'created',
      state: close ? 'closed' : 'open',
      ...(close ? { transition: 'closed' as const } : {}),
      regressions
    }
  }
  const wasOpen = existing.state === 'open'
  let state: 'open' | 'closed' = wasOpen ? 'open' : 'closed'
  if (wasOpen && t.closeWhenPassing && allPass) state = 'closed'
  else if (!wasOpen && regressions > 0) state = 'open'
  const updated = await client.rest.issues.update({
    owner: t.owner,
    repo: t.repo,
    issue_number: existing.number,
    body,
    ...(state === existing.state
      ? {}
      : { state, state_reason: state === 'closed' ? 'completed' : 'reopened' })
  })
  const transition = state === existing.state ? undefined : state === 'closed' ? 'closed' : 'reopened'
  return {
    url: updated.data.html_url,
    number: existing.number,
    action: 'updated',
    state,
    ...(transition === undefined ? {} : { transition }),
    regressions
  }
}

function setState(client: GitHubClient, t: TrackingIssue, issue: number, state: 'closed') {
  return client.rest.issues.update({
    owner: t.owner,
    repo: t.repo,
    issue_number: issue,
    state,
    state_reason: 'completed'
  })
}

/** Marker and history data first (never cut), the history table last, the report fitted in between. */
function issueBody(t: TrackingIssue, data: string, history: string): string {
  const head = `${t.marker}\n${data}\n`
  const tail = `\n\n${history}\n`
  return `${head}${t.report(GITHUB_MARKDOWN_LIMIT - head.length - tail.length).trimEnd()}${tail}`
}
