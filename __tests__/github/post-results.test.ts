/**
 * Posting through the action's real Octokit (throttling and retry plugins included) to a real HTTP
 * server on 127.0.0.1 that implements the GitHub REST endpoints and records every request.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { makeGitHubClient } from '../../src/github/client.js'
import type { GitHubEnv } from '../../src/github/github-env.js'
import { postResults } from '../../src/github/post-results.js'
import { parseConfig } from '../../src/inputs/parse.js'
import type { RawInputs } from '../../src/inputs/spec.js'
import { parseCellId } from '../../src/plan/cell.js'
import { titleMarker } from '../../src/report/markers.js'
import { renderReport } from '../../src/report/report-markdown.js'
import type { CellResult, Finding } from '../../src/results/cell-result.js'
import { cellResult } from '../builders.js'
import { recordingLog } from '../fakes.js'
import { tempDir } from '../helpers.js'
import { startFakeGitHub, type FakeGitHub } from './fake-github.js'

const TOKEN = 'ghs_notARealToken1234567890'
const TITLE = 'ZFS join matrix'
const MARKER = titleMarker('sticky', TITLE)

let fake: FakeGitHub
beforeEach(async () => {
  fake = await startFakeGitHub()
})
afterEach(async () => {
  await fake.close()
})

const pass = (id: string): CellResult => cellResult(id, { status: 'pass' })
const fail = (id: string, message = 'nerdctl pulled into overlayfs'): CellResult =>
  cellResult(id, { status: 'fail', signature: 'tool-snapshotter-mismatch', message })

const PR_EVENT = { pull_request: { number: 5, head: { sha: 'head-sha' } } }

interface Post {
  readonly raw?: RawInputs
  readonly results: readonly CellResult[]
  readonly event?: { name: string; payload: unknown }
  readonly testedEvent?: unknown
  readonly gateFailed?: boolean
  readonly locate?: (variables: readonly string[]) => { path: string; line: number } | null
}

async function post(p: Post) {
  const dir = tempDir()
  const eventPath = join(dir, 'event.json')
  writeFileSync(eventPath, JSON.stringify(p.event?.payload ?? PR_EVENT))
  const config = parseConfig({ 'github-token': TOKEN, title: TITLE, ...p.raw }, { cwd: dir })
  const env: GitHubEnv = {
    owner: fake.owner,
    repo: fake.repo,
    apiUrl: fake.url,
    serverUrl: 'https://github.com',
    eventName: p.event?.name ?? 'pull_request',
    eventPath,
    sha: 'merge-sha',
    runId: 7,
    runAttempt: 1,
    workflowPath: '.github/workflows/zfs-join.yml',
    artifactService: false
  }
  const log = recordingLog()
  const outputs: Record<string, string> = {}
  const planned = p.results.map(r => parseCellId(r.id)!)
  await postResults(
    {
      config,
      env,
      results: p.results,
      gate: { failed: p.gateFailed ?? false, reason: 'gate' },
      report: (max, footer) => renderReport({ title: TITLE, results: p.results, planned, footer }, max),
      testedEvent: p.testedEvent,
      locate: p.locate ?? (() => null),
      finishedAt: new Date('2026-11-25T03:17:00Z')
    },
    {
      client: makeGitHubClient(TOKEN, fake.url, log),
      log,
      outputs: { set: (name, value) => void (outputs[name] = value) }
    }
  )
  return { log, outputs, lines: log.lines.join('\n') }
}

const writes = () => fake.requests.filter(r => r.method !== 'GET')

describe('the sticky pull-request comment', () => {
  it('is created by the first run and updated in place by the second', async () => {
    const first = await post({ results: [pass('debian-12/zfs/ctr'), fail('debian-12/zfs/nerdctl')] })
    expect(fake.comments).toHaveLength(1)
    const comment = fake.comments[0]!
    expect(comment.issue).toBe(5)
    expect(comment.body.startsWith(MARKER)).toBe(true)
    expect(comment.body).toContain('❌')
    expect(first.outputs['comment-url']).toBeDefined()

    await post({ results: [pass('debian-12/zfs/ctr'), pass('debian-12/zfs/nerdctl')] })
    expect(fake.comments).toHaveLength(1)
    expect(fake.comments[0]!.id).toBe(comment.id)
    expect(fake.comments[0]!.body).toContain('2 passed, 0 failed')
    expect(fake.requestsTo('POST', /\/issues\/5\/comments$/)).toHaveLength(1)
    expect(fake.requestsTo('PATCH', new RegExp(`/issues/comments/${comment.id}$`))).toHaveLength(1)
  })

  it("leaves another user's comment that carries the marker alone", async () => {
    const theirs = fake.addComment(5, `${MARKER}\nquoted by a reviewer`, 'a-reviewer')
    await post({ results: [pass('debian-12/zfs/ctr')] })
    expect(fake.comments).toHaveLength(2)
    expect(fake.comments.find(c => c.id === theirs.id)!.body).toBe(`${MARKER}\nquoted by a reviewer`)
    expect(fake.requestsTo('PATCH', /\/issues\/comments\//)).toHaveLength(0)
  })

  it('finds its own comment on a later page and, with GITHUB_TOKEN, by github-actions[bot]', async () => {
    fake.login = null // GET /user is refused to installation tokens
    for (let i = 0; i < 150; i++) fake.addComment(5, `chatter ${i}`, 'someone')
    const ours = fake.addComment(5, `${MARKER}\nold matrix`, 'github-actions[bot]')
    await post({ results: [pass('debian-12/zfs/ctr')] })
    expect(fake.requestsTo('GET', /\/issues\/5\/comments$/).map(r => r.query.page ?? '1')).toEqual(['1', '2'])
    expect(fake.requestsTo('POST', /\/issues\/5\/comments$/)).toHaveLength(0)
    expect(fake.comments.find(c => c.id === ours.id)!.body).not.toContain('old matrix')
  })

  it('with comment-mode changes, rewrites only when a status changed', async () => {
    const raw: RawInputs = { 'comment-mode': 'changes' }
    await post({ raw, results: [pass('debian-12/zfs/ctr')] })
    const second = await post({
      raw,
      results: [cellResult('debian-12/zfs/ctr', { status: 'pass' }, { durationSeconds: 99 })]
    })
    expect(fake.requestsTo('PATCH', /\/issues\/comments\//)).toHaveLength(0)
    expect(second.lines).toMatch(/comment unchanged/)
    await post({ raw, results: [fail('debian-12/zfs/ctr')] })
    expect(fake.requestsTo('PATCH', /\/issues\/comments\//)).toHaveLength(1)
  })

  it('with comment-mode failures, creates one only when a cell fails but always updates an existing one', async () => {
    const raw: RawInputs = { 'comment-mode': 'failures' }
    const quiet = await post({ raw, results: [pass('debian-12/zfs/ctr')] })
    expect(fake.comments).toHaveLength(0)
    expect(quiet.lines).toMatch(/no comment \(no cell fails\)/)
    await post({ raw, results: [fail('debian-12/zfs/ctr')] })
    expect(fake.comments).toHaveLength(1)
    await post({ raw, results: [pass('debian-12/zfs/ctr')] })
    expect(fake.comments).toHaveLength(1)
    expect(fake.comments[0]!.body).toContain('1 passed, 0 failed')
  })

  it('with comment-mode off, writes no comment (the check run is still created)', async () => {
    await post({ raw: { 'comment-mode': 'off' }, results: [pass('debian-12/zfs/ctr')] })
    expect(fake.requests.filter(r => r.path.includes('/comments'))).toHaveLength(0)
    expect(fake.checkRuns).toHaveLength(1)
  })

  it('is trimmed to 65,536 characters and still shows the marker and the table', async () => {
    const huge = 'x'.repeat(20_000)
    const results = Array.from({ length: 12 }, (_, i) =>
      cellResult(
        `debian-12/zfs/ctr/${i % 2 === 0 ? 'kubespray' : 'fixed'}`
          .replace('ctr', ['ctr', 'crictl', 'nerdctl'][i % 3]!)
          .replace('zfs', ['zfs', 'native'][Math.floor(i / 6)]!),
        {
          status: 'fail',
          signature: 'tool-snapshotter-mismatch',
          message: huge,
          excerpt: huge
        }
      )
    )
    await post({ results })
    const body = fake.comments[0]!.body
    expect(body.length).toBeLessThanOrEqual(65_536)
    expect(body.startsWith(MARKER)).toBe(true)
    expect(body).toContain('| debian-12')
  })

  it('escapes Markdown and HTML from log excerpts and messages', async () => {
    const evil = '<img src=x onerror=alert(1)> | **bold** [link](https://evil.example) <!-- -->'
    await post({ results: [fail('debian-12/zfs/nerdctl', evil)] })
    const body = fake.comments[0]!.body
    expect(body).not.toContain('<img')
    expect(body).not.toContain('[link](https://evil.example)')
    expect(body).toContain('&#60;img src=x onerror=alert&#40;1&#41;&#62;')
    // Only our own two markers are HTML comments.
    expect(body.match(/<!--/g)).toHaveLength(2)
  })

  it('a 403 on creating the comment ends as a warning naming the permission, and the check run is still made', async () => {
    fake.fail({
      method: 'POST',
      path: /\/issues\/5\/comments$/,
      status: 403,
      body: { message: 'Resource not accessible by integration' }
    })
    const r = await post({ results: [pass('debian-12/zfs/ctr')] })
    expect(r.lines).toMatch(/warning: Could not write the comment on pull request #5: .*pull-requests: write/)
    expect(fake.comments).toHaveLength(0)
    expect(fake.checkRuns).toHaveLength(1)
  })

  it('waits out a secondary rate limit and retries the write', async () => {
    fake.fail({
      method: 'POST',
      path: /\/issues\/5\/comments$/,
      status: 403,
      body: {
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'
      },
      headers: { 'retry-after': '1' }
    })
    const r = await post({ results: [pass('debian-12/zfs/ctr')] })
    expect(r.lines).toMatch(/secondary rate limit on POST .*retrying in 1s/)
    expect(fake.requestsTo('POST', /\/issues\/5\/comments$/)).toHaveLength(2)
    expect(fake.comments).toHaveLength(1)
  })

  it('never sends or logs the token anywhere but the authorization header', async () => {
    const r = await post({ results: [fail('debian-12/zfs/ctr')] })
    expect(r.lines).not.toContain(TOKEN)
    expect(JSON.stringify(r.outputs)).not.toContain(TOKEN)
    for (const req of fake.requests) {
      expect(JSON.stringify({ ...req, headers: { ...req.headers, authorization: '' } })).not.toContain(TOKEN)
    }
    expect(fake.requests.every(req => req.headers.authorization === `token ${TOKEN}`)).toBe(true)
  })
})

describe('the check run', () => {
  it('goes on the head commit with the gate conclusion, and 120 annotations take 3 requests', async () => {
    const findings: Finding[] = Array.from({ length: 120 }, (_, i) => ({
      path: 'roles/container-engine/nerdctl/templates/nerdctl.toml.j2',
      line: i + 1,
      level: 'warning',
      message: `finding ${i}`
    }))
    await post({
      results: [cellResult('debian-12/zfs/nerdctl', { status: 'pass' }, { findings })],
      gateFailed: true
    })
    const requests = fake.requests.filter(r => r.path.includes('/check-runs'))
    expect(requests.map(r => r.method)).toEqual(['POST', 'PATCH', 'PATCH'])
    const sizes = requests.map(
      r => (r.body as { output: { annotations: unknown[] } }).output.annotations.length
    )
    expect(sizes).toEqual([50, 50, 20])
    const run = fake.checkRuns[0]!
    expect(run.annotations).toHaveLength(120)
    expect([run.name, run.head_sha, run.status, run.conclusion]).toEqual([
      TITLE,
      'head-sha',
      'completed',
      'failure'
    ])
  })

  it('annotates a failed cell at the kubespray variable its fix sets, else at the workflow file', async () => {
    await post({
      results: [fail('debian-12/zfs/nerdctl'), pass('debian-12/zfs/ctr')],
      locate: vars =>
        vars.includes('nerdctl_snapshotter')
          ? { path: 'roles/container-engine/nerdctl/templates/nerdctl.toml.j2', line: 4 }
          : null
    })
    expect(fake.checkRuns[0]!.annotations).toEqual([
      expect.objectContaining({
        path: 'roles/container-engine/nerdctl/templates/nerdctl.toml.j2',
        start_line: 4,
        annotation_level: 'failure',
        title: expect.stringContaining('debian-12/zfs/nerdctl/kubespray') as unknown
      })
    ])
    await post({ results: [fail('debian-12/zfs/nerdctl')] })
    expect(fake.checkRuns[1]!.annotations).toEqual([
      expect.objectContaining({ path: '.github/workflows/zfs-join.yml', start_line: 1 })
    ])
    expect(fake.checkRuns[1]!.conclusion).toBe('success')
  })

  it('is not created with check-run false', async () => {
    await post({ raw: { 'check-run': 'false' }, results: [pass('debian-12/zfs/ctr')] })
    expect(fake.checkRuns).toHaveLength(0)
  })
})

describe('fork pull requests (a workflow_run workflow posts)', () => {
  const workflowRun = (pullRequests: unknown[] = []) => ({
    name: 'workflow_run',
    payload: { workflow_run: { id: 99, head_sha: 'fork-sha', pull_requests: pullRequests } }
  })
  beforeEach(() => {
    fake.addPull({ number: 9, headSha: 'fork-sha', headRepo: 'forker/kubespray', state: 'open' })
    fake.addPull({ number: 3, headSha: 'other-sha', headRepo: 'octo/kubespray', state: 'open' })
  })

  it('finds the pull request by head sha when workflow_run.pull_requests is empty', async () => {
    const r = await post({ event: workflowRun(), results: [pass('debian-12/zfs/ctr')] })
    expect(fake.comments.map(c => c.issue)).toEqual([9])
    expect(fake.checkRuns[0]!.head_sha).toBe('fork-sha')
    expect(r.lines).toMatch(/Posting on pull request #9 \(found from the head sha of the tested run\)/)
  })

  it("takes the pull request from the tested run's event file once its head is checked", async () => {
    const tested = { pull_request: { number: 9, head: { sha: 'fork-sha' } } }
    await post({ event: workflowRun(), testedEvent: tested, results: [pass('debian-12/zfs/ctr')] })
    expect(fake.comments.map(c => c.issue)).toEqual([9])
    expect(fake.requestsTo('GET', /\/pulls\/9$/)).toHaveLength(1)
    expect(fake.requestsTo('GET', /\/pulls$/)).toHaveLength(0)
  })

  it('ignores an event file naming a pull request whose head is not the tested commit', async () => {
    const forged = { pull_request: { number: 3, head: { sha: 'fork-sha' } } }
    const r = await post({ event: workflowRun(), testedEvent: forged, results: [pass('debian-12/zfs/ctr')] })
    expect(r.lines).toMatch(/warning: The event file names pull request #3/)
    expect(fake.comments.map(c => c.issue)).toEqual([9])
  })

  it('uses workflow_run.pull_requests, skipping entries into another repository', async () => {
    const elsewhere = { number: 1, base: { repo: { url: 'https://api.github.com/repos/forker/kubespray' } } }
    const here = {
      number: 9,
      base: { repo: { url: `https://api.github.com/repos/${fake.owner}/${fake.repo}` } }
    }
    await post({ event: workflowRun([elsewhere, here]), results: [pass('debian-12/zfs/ctr')] })
    expect(fake.comments.map(c => c.issue)).toEqual([9])
    expect(fake.requestsTo('GET', /\/pulls$/)).toHaveLength(0)
  })
})

describe('the tracking issue', () => {
  const schedule = { name: 'schedule', payload: { schedule: '17 3 * * *' } }

  it('is created on a scheduled run, then updated with a history where flipped cells stand out', async () => {
    await post({ event: schedule, results: [pass('debian-12/zfs/ctr'), fail('debian-12/zfs/nerdctl')] })
    expect(fake.issues).toHaveLength(1)
    const issue = fake.issues[0]!
    expect([issue.title, issue.labels, issue.state]).toEqual([TITLE, ['zfs-join-matrix'], 'open'])
    expect(issue.body).toContain(titleMarker('issue', TITLE))
    expect(issue.body).toContain('### History (last 1 run)')

    await post({ event: schedule, results: [fail('debian-12/zfs/ctr'), pass('debian-12/zfs/nerdctl')] })
    expect(fake.issues).toHaveLength(1)
    const body = fake.issues[0]!.body
    expect(body).toContain('### History (last 2 runs)')
    expect(body).toContain('**debian-12/zfs/ctr/kubespray ✅→❌**')
    expect(body).toContain('debian-12/zfs/nerdctl/kubespray ❌→✅')
    expect(body.length).toBeLessThanOrEqual(65_536)
  })

  it('keeps issue-history runs', async () => {
    for (let i = 0; i < 3; i++) {
      await post({ event: schedule, raw: { 'issue-history': '2' }, results: [pass('debian-12/zfs/ctr')] })
    }
    expect(fake.issues[0]!.body).toContain('### History (last 2 runs)')
  })

  it('with close-issue, is closed when every cell passes and reopened when one regresses', async () => {
    const raw: RawInputs = { 'close-issue': 'true' }
    await post({ event: schedule, raw, results: [fail('debian-12/zfs/ctr')] })
    expect(fake.issues[0]!.state).toBe('open')
    const closed = await post({ event: schedule, raw, results: [pass('debian-12/zfs/ctr')] })
    expect([fake.issues[0]!.state, fake.issues[0]!.state_reason]).toEqual(['closed', 'completed'])
    expect(closed.lines).toMatch(/updated and closed/)
    const reopened = await post({ event: schedule, raw, results: [fail('debian-12/zfs/ctr')] })
    expect([fake.issues[0]!.state, fake.issues[0]!.state_reason]).toEqual(['open', 'reopened'])
    expect(reopened.lines).toMatch(/updated and reopened/)
  })

  it("is left alone on pull requests (tracking-issue auto) and ignores other users' issues", async () => {
    await post({ results: [pass('debian-12/zfs/ctr')] })
    expect(fake.requests.filter(r => /\/issues$/.test(r.path))).toHaveLength(0)

    fake.addIssue({
      title: TITLE,
      body: `${titleMarker('issue', TITLE)}\nnot ours`,
      labels: ['zfs-join-matrix'],
      login: 'mallory'
    })
    await post({ event: schedule, results: [pass('debian-12/zfs/ctr')] })
    expect(fake.issues).toHaveLength(2)
    expect(fake.issues[0]!.body).toBe(`${titleMarker('issue', TITLE)}\nnot ours`)
  })
})

it('posts nothing else when every endpoint refuses: each step warns once', async () => {
  fake.fail({ method: 'POST', path: /.*/, status: 403, times: Infinity })
  fake.fail({
    method: 'GET',
    path: /\/user$/,
    status: 401,
    body: { message: 'Bad credentials' },
    times: Infinity
  })
  const r = await post({
    event: { name: 'schedule', payload: {} },
    raw: { 'tracking-issue': 'always' },
    results: [pass('debian-12/zfs/ctr')]
  })
  const warnings = r.log.lines.filter(l => l.startsWith('warning:'))
  expect(warnings).toEqual([
    expect.stringMatching(/^warning: Could not create the check run on merge-sha: .*checks: write/),
    expect.stringMatching(/^warning: Could not update the tracking issue: .*401: the github-token is invalid/)
  ])
  expect(writes()).toHaveLength(1)
})
