import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { DefaultArtifactClient } from '@actions/artifact'
import { getOctokit } from '@actions/github'
import { BlockBlobClient } from '@azure/storage-blob'
import { unzipSync } from 'fflate'
import { tempDir } from '../helpers.js'
import { runtimeToken, startFakeGitHub, type FakeGitHub } from './fake-github.js'

type Octokit = ReturnType<typeof getOctokit>

let fake: FakeGitHub
let octokit: Octokit
let repo: { owner: string; repo: string }

beforeEach(async () => {
  fake = await startFakeGitHub()
  octokit = getOctokit('fake-token', { baseUrl: fake.url })
  repo = { owner: fake.owner, repo: fake.repo }
})

afterEach(async () => {
  await fake.close()
})

describe('REST basics', () => {
  it('answers 401 without a token, as GitHub does', async () => {
    const response = await fetch(`${fake.url}/repos/octo/kubespray/issues`)
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({ message: 'Requires authentication' })
  })

  it('answers 404 for another repository', async () => {
    await expect(octokit.rest.issues.listForRepo({ owner: 'octo', repo: 'other' })).rejects.toMatchObject({
      status: 404,
      message: 'Not Found'
    })
  })

  it('GET /user returns the login, or 403 for an installation token (login null)', async () => {
    const { data } = await octokit.rest.users.getAuthenticated()
    expect(data).toMatchObject({ login: 'octocat', id: 1, type: 'User' })
    fake.login = null
    await expect(octokit.rest.users.getAuthenticated()).rejects.toMatchObject({
      status: 403,
      message: 'Resource not accessible by integration'
    })
    expect(fake.author).toBe('github-actions[bot]')
  })

  it('records each request with its query, lower-case headers and parsed JSON body', async () => {
    await octokit.rest.issues.createComment({ ...repo, issue_number: 7, body: 'hello' })
    const [recorded] = fake.requestsTo('post', /\/issues\/7\/comments$/)
    expect(recorded).toMatchObject({
      method: 'POST',
      path: '/repos/octo/kubespray/issues/7/comments',
      query: {},
      body: { body: 'hello' }
    })
    expect(recorded?.headers.authorization).toBe('token fake-token')
  })
})

describe('pagination', () => {
  it('walks 250 comments in three pages of 100 through Link rel="next"', async () => {
    for (let i = 1; i <= 250; i++) fake.addComment(3, `comment ${i}`, 'someone')
    fake.addComment(4, 'elsewhere', 'someone')

    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      ...repo,
      issue_number: 3,
      per_page: 100
    })

    expect(comments.map(c => c.body)).toEqual(Array.from({ length: 250 }, (_, i) => `comment ${i + 1}`))
    const pages = fake.requestsTo('GET', /\/issues\/3\/comments$/)
    expect(pages.map(r => r.query)).toEqual([
      { per_page: '100' },
      { per_page: '100', page: '2' },
      { per_page: '100', page: '3' }
    ])
  })

  it('sends absolute Link URLs with next, last, prev and first like GitHub', async () => {
    for (let i = 0; i < 5; i++) fake.addComment(1, `c${i}`, 'someone')
    const second = await octokit.rest.issues.listComments({ ...repo, issue_number: 1, per_page: 2, page: 2 })
    const base = `${fake.url}/repos/octo/kubespray/issues/1/comments?per_page=2`
    expect(second.headers.link).toBe(
      `<${base}&page=1>; rel="prev", <${base}&page=3>; rel="next", <${base}&page=3>; rel="last", <${base}&page=1>; rel="first"`
    )
    const last = await octokit.rest.issues.listComments({ ...repo, issue_number: 1, per_page: 2, page: 3 })
    expect(last.data).toHaveLength(1)
    expect(last.headers.link).not.toContain('rel="next"')
  })

  it('caps per_page at perPageMax and defaults it to 30', async () => {
    const small = await startFakeGitHub({ perPageMax: 10 })
    try {
      for (let i = 0; i < 25; i++) small.addComment(1, `c${i}`, 'someone')
      const client = getOctokit('t', { baseUrl: small.url })
      const all = await client.paginate(client.rest.issues.listComments, {
        owner: small.owner,
        repo: small.repo,
        issue_number: 1,
        per_page: 100
      })
      expect(all).toHaveLength(25)
      expect(small.requestsTo('GET', /comments$/)).toHaveLength(3)
    } finally {
      await small.close()
    }
    for (let i = 0; i < 31; i++) fake.addComment(1, `c${i}`, 'someone')
    const { data } = await octokit.rest.issues.listComments({ ...repo, issue_number: 1 })
    expect(data).toHaveLength(30)
  })
})

describe('comments', () => {
  it('creates as author, updates, and 404s an unknown comment', async () => {
    const created = await octokit.rest.issues.createComment({ ...repo, issue_number: 5, body: 'first' })
    expect(created.status).toBe(201)
    expect(created.data.user).toMatchObject({ login: 'octocat', type: 'User' })
    expect(created.data.html_url).toBe(
      `https://github.com/octo/kubespray/issues/5#issuecomment-${created.data.id}`
    )

    fake.author = 'github-actions[bot]'
    const bot = await octokit.rest.issues.createComment({ ...repo, issue_number: 5, body: 'second' })
    expect(bot.data.user).toMatchObject({ login: 'github-actions[bot]', type: 'Bot' })

    const updated = await octokit.rest.issues.updateComment({
      ...repo,
      comment_id: created.data.id,
      body: 'edited'
    })
    expect(updated.data.body).toBe('edited')
    expect(fake.comments.map(c => [c.issue, c.body, c.login])).toEqual([
      [5, 'edited', 'octocat'],
      [5, 'second', 'github-actions[bot]']
    ])
    await expect(
      octokit.rest.issues.updateComment({ ...repo, comment_id: 999999, body: 'x' })
    ).rejects.toMatchObject({ status: 404 })
  })

  it('rejects a body over 65536 characters with 422', async () => {
    await octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: 'x'.repeat(65536) })
    await expect(
      octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: 'x'.repeat(65537) })
    ).rejects.toMatchObject({
      status: 422,
      response: {
        data: {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'IssueComment',
              code: 'custom',
              field: 'body',
              message: 'body is too long (maximum is 65536 characters)'
            }
          ]
        }
      }
    })
    expect(fake.comments).toHaveLength(1)
  })
})

describe('failure injection', () => {
  it('fails the first matching request only, then answers normally', async () => {
    fake.fail({
      method: 'POST',
      path: /\/issues\/\d+\/comments$/,
      status: 403,
      body: { message: 'Resource not accessible by integration' }
    })
    await expect(
      octokit.rest.issues.createComment({ ...repo, issue_number: 2, body: 'a' })
    ).rejects.toMatchObject({
      status: 403,
      message: 'Resource not accessible by integration'
    })
    const { status } = await octokit.rest.issues.createComment({ ...repo, issue_number: 2, body: 'a' })
    expect(status).toBe(201)
    expect(fake.comments).toHaveLength(1)
  })

  it('sends the given headers, a default body, and repeats `times` times', async () => {
    fake.fail({
      method: 'GET',
      path: /^\/user$/,
      status: 403,
      body: {
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'
      },
      headers: { 'retry-after': '1' },
      times: 2
    })
    fake.fail({ method: 'GET', path: /^\/user$/, status: 502 })
    for (let i = 0; i < 2; i++) {
      await expect(octokit.rest.users.getAuthenticated()).rejects.toMatchObject({
        status: 403,
        message: expect.stringContaining('secondary rate limit'),
        response: { headers: { 'retry-after': '1' } }
      })
    }
    await expect(octokit.rest.users.getAuthenticated()).rejects.toMatchObject({
      status: 502,
      message: '502 injected'
    })
    await expect(octokit.rest.users.getAuthenticated()).resolves.toMatchObject({ status: 200 })
  })
})

describe('check runs', () => {
  const annotation = (line: number) => ({
    path: 'README.md',
    start_line: line,
    end_line: line,
    annotation_level: 'failure' as const,
    message: `failed at ${line}`
  })

  it('creates, appends annotations on update, and completes with a conclusion', async () => {
    const created = await octokit.rest.checks.create({
      ...repo,
      name: 'zfs-join-matrix',
      head_sha: 'abc123',
      status: 'in_progress',
      output: { title: 'Running', summary: 'cells…', annotations: [annotation(1)] }
    })
    expect(created.status).toBe(201)
    expect(created.data).toMatchObject({ name: 'zfs-join-matrix', head_sha: 'abc123', status: 'in_progress' })

    const updated = await octokit.rest.checks.update({
      ...repo,
      check_run_id: created.data.id,
      conclusion: 'failure',
      output: {
        title: 'Done',
        summary: '1 failed',
        text: 'details',
        annotations: [annotation(2), annotation(3)]
      }
    })
    expect(updated.data).toMatchObject({ status: 'completed', conclusion: 'failure' })
    expect(fake.checkRuns).toEqual([
      {
        id: created.data.id,
        name: 'zfs-join-matrix',
        head_sha: 'abc123',
        status: 'completed',
        conclusion: 'failure',
        output: { title: 'Done', summary: '1 failed', text: 'details' },
        annotations: [annotation(1), annotation(2), annotation(3)]
      }
    ])
  })

  it('rejects 51 annotations in one request with 422', async () => {
    const created = await octokit.rest.checks.create({ ...repo, name: 'c', head_sha: 'abc' })
    const annotations = Array.from({ length: 51 }, (_, i) => annotation(i + 1))
    await expect(
      octokit.rest.checks.update({
        ...repo,
        check_run_id: created.data.id,
        output: { title: 't', summary: 's', annotations }
      })
    ).rejects.toMatchObject({ status: 422, message: expect.stringContaining('only 50 per request') })
    expect(fake.checkRuns[0]?.annotations).toEqual([])
  })
})

describe('issues and pulls', () => {
  it('numbers issues after pulls and filters by labels, state and creator', async () => {
    fake.addPull({ number: 12, headSha: 'aaa', headRepo: 'octo/kubespray', state: 'open' })
    fake.addIssue({ title: 'old', body: '', labels: ['zfs', 'flaky'], state: 'closed', login: 'someone' })
    fake.addIssue({ title: 'a pr', body: '', labels: ['zfs'], pull_request: true })
    const created = await octokit.rest.issues.create({
      ...repo,
      title: 'new',
      body: 'b',
      labels: ['zfs', 'flaky']
    })
    expect(created.status).toBe(201)
    expect(created.data).toMatchObject({
      number: 15,
      state: 'open',
      labels: [{ name: 'zfs' }, { name: 'flaky' }]
    })
    expect(fake.issues.map(i => i.number)).toEqual([13, 14, 15])

    const open = await octokit.paginate(octokit.rest.issues.listForRepo, { ...repo, labels: 'zfs' })
    expect(open.map(i => [i.number, 'pull_request' in i])).toEqual([
      [15, false],
      [14, true]
    ])
    const flaky = await octokit.paginate(octokit.rest.issues.listForRepo, {
      ...repo,
      labels: 'flaky,zfs',
      state: 'all',
      creator: 'someone'
    })
    expect(flaky.map(i => i.title)).toEqual(['old'])
  })

  it('updates and closes an issue with a state reason', async () => {
    const issue = fake.addIssue({ title: 't', body: 'b' })
    const { data } = await octokit.rest.issues.update({
      ...repo,
      issue_number: issue.number,
      body: 'new body',
      state: 'closed',
      labels: ['done']
    })
    expect(data).toMatchObject({
      state: 'closed',
      state_reason: 'completed',
      body: 'new body',
      labels: [{ name: 'done' }]
    })
    const fetched = await octokit.rest.issues.get({ ...repo, issue_number: issue.number })
    expect(fetched.data.state).toBe('closed')
    await expect(
      octokit.rest.issues.update({ ...repo, issue_number: issue.number, body: 'y'.repeat(65537) })
    ).rejects.toMatchObject({ status: 422 })
  })

  it('lists pulls by state and leaves fork pulls out of commits/:sha/pulls', async () => {
    fake.addPull({ number: 1, headSha: 'sha1', headRepo: 'octo/kubespray', state: 'open' })
    fake.addPull({ number: 2, headSha: 'sha1', headRepo: 'forker/kubespray', state: 'open' })
    fake.addPull({ number: 3, headSha: 'sha3', headRepo: 'octo/kubespray', state: 'closed' })

    const open = await octokit.paginate(octokit.rest.pulls.list, { ...repo })
    expect(open.map(p => p.number)).toEqual([2, 1])
    const all = await octokit.paginate(octokit.rest.pulls.list, { ...repo, state: 'all' })
    expect(all).toHaveLength(3)

    const fork = await octokit.rest.pulls.get({ ...repo, pull_number: 2 })
    expect(fork.data.head).toMatchObject({ sha: 'sha1', repo: { full_name: 'forker/kubespray' } })
    expect(fork.data.base.repo.full_name).toBe('octo/kubespray')

    const forCommit = await octokit.paginate(octokit.rest.repos.listPullRequestsAssociatedWithCommit, {
      ...repo,
      commit_sha: 'sha1'
    })
    expect(forCommit.map(p => p.number)).toEqual([1])
  })
})

describe('artifacts', () => {
  const saved = ['ACTIONS_RESULTS_URL', 'ACTIONS_RUNTIME_TOKEN', 'GITHUB_WORKSPACE'].map(
    name => [name, process.env[name]] as const
  )

  beforeEach(() => {
    process.env.ACTIONS_RESULTS_URL = fake.resultsUrl
    process.env.ACTIONS_RUNTIME_TOKEN = runtimeToken()
    process.env.GITHUB_WORKSPACE = tempDir()
    // @actions/core writes progress and ::add-mask:: commands straight to stdout.
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
  })

  afterEach(() => {
    jest.restoreAllMocks()
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  })

  it('stores an upload by DefaultArtifactClient that the REST API lists and serves as the same zip', async () => {
    const root = tempDir()
    mkdirSync(join(root, 'logs'))
    const results = join(root, 'results.jsonl')
    const big = join(root, 'logs', 'big.bin')
    writeFileSync(results, '{"cell":"a","outcome":"pass"}\n')
    // Incompressible and over the client's 8 MiB block size, so the blob arrives as two staged blocks.
    writeFileSync(big, randomBytes(9 * 1024 * 1024))
    fake.uploadRunId = 77

    const uploaded = await new DefaultArtifactClient().uploadArtifact('results-shard-1', [results, big], root)

    const stages = fake.requestsTo('PUT', /^\/_upload\/results-shard-1$/)
    expect(stages.map(r => r.query.comp)).toEqual(['block', 'block', 'blocklist'])
    expect(fake.artifacts).toHaveLength(1)
    const stored = fake.artifacts[0]!
    expect(stored).toMatchObject({ id: uploaded.id, runId: 77, name: 'results-shard-1' })
    expect(uploaded.size).toBe(stored.zip.length)
    expect(uploaded.digest).toBe(createHash('sha256').update(stored.zip).digest('hex'))

    const listed = await octokit.paginate(octokit.rest.actions.listWorkflowRunArtifacts, {
      ...repo,
      run_id: 77,
      name: 'results-shard-1'
    })
    expect(listed).toHaveLength(1)
    expect(listed[0]).toMatchObject({
      id: uploaded.id,
      name: 'results-shard-1',
      size_in_bytes: stored.zip.length
    })
    const other = await octokit.rest.actions.listWorkflowRunArtifacts({ ...repo, run_id: 78 })
    expect(other.data).toMatchObject({ total_count: 0, artifacts: [] })

    const redirect = await octokit.rest.actions.downloadArtifact({
      ...repo,
      artifact_id: uploaded.id!,
      archive_format: 'zip',
      request: { redirect: 'manual' }
    })
    expect(redirect.status).toBe(302)
    const location = redirect.headers.location!
    expect(location).toBe(`${fake.url}/_blob/artifact-${uploaded.id}.zip?sig=secret`)
    const blob = await fetch(location)
    expect(blob.headers.get('content-type')).toBe('application/zip')
    const zip = new Uint8Array(await blob.arrayBuffer())
    expect(Buffer.from(zip).equals(stored.zip)).toBe(true)

    const files = unzipSync(zip)
    expect(Object.keys(files).sort()).toEqual(['logs/big.bin', 'results.jsonl'])
    expect(Buffer.from(files['results.jsonl']!).toString()).toBe('{"cell":"a","outcome":"pass"}\n')
    expect(Buffer.from(files['logs/big.bin']!).equals(readFileSync(big))).toBe(true)
  })

  it('refuses a second artifact of the same name in the run, and lists and downloads through the results service', async () => {
    const root = tempDir()
    writeFileSync(join(root, 'a.txt'), 'A')
    const client = new DefaultArtifactClient()
    const { id } = await client.uploadArtifact('dup', [join(root, 'a.txt')], root)
    await expect(client.uploadArtifact('dup', [join(root, 'a.txt')], root)).rejects.toThrow(
      /409.*an artifact with this name already exists on the workflow run/
    )

    const { artifacts } = await client.listArtifacts()
    expect(artifacts.map(a => [a.id, a.name])).toEqual([[id, 'dup']])
    const out = tempDir()
    await client.downloadArtifact(id!, { path: out })
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('A')
  })

  it('accepts a single-shot Put Blob from BlockBlobClient.upload', async () => {
    // The artifact service's Twirp calls, as @actions/artifact makes them around the blob upload.
    const artifactService = (method: string, body: Record<string, unknown>) =>
      fetch(`${fake.resultsUrl}twirp/github.actions.results.api.v1.ArtifactService/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${runtimeToken()}`, 'content-type': 'application/json' },
        body: JSON.stringify({ workflow_run_backend_id: 'r', workflow_job_run_backend_id: 'j', ...body })
      })
    const create = await artifactService('CreateArtifact', { name: 'single', version: 7 })
    const { signed_upload_url: uploadUrl } = (await create.json()) as { signed_upload_url: string }
    const bytes = Buffer.from('PK single shot')

    await new BlockBlobClient(uploadUrl).upload(bytes, bytes.length)

    expect(fake.requestsTo('PUT', /^\/_upload\/single$/)[0]?.headers['x-ms-blob-type']).toBe('BlockBlob')
    const finalize = await artifactService('FinalizeArtifact', { name: 'single', size: String(bytes.length) })
    expect(await finalize.json()).toEqual({ ok: true, artifact_id: String(fake.artifacts[0]?.id) })
    expect(fake.artifacts[0]?.zip.equals(bytes)).toBe(true)
  })
})
