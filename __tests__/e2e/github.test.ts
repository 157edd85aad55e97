/**
 * The bundled action (`node dist/index.js`, as the runner starts it) posting to, uploading to and
 * downloading from a GitHub API double on 127.0.0.1: GITHUB_API_URL and ACTIONS_RESULTS_URL point
 * there, exactly as a runner's environment points at github.com or a GitHub Enterprise Server.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { titleMarker } from '../../src/report/markers.js'
import { runtimeToken, startFakeGitHub, type FakeGitHub } from '../github/fake-github.js'
import { tempDir } from '../helpers.js'
import { actionAsync, fileCommands, root, runnerEnv as stepEnv } from './runner.js'

const TOKEN = 'ghs_e2eTokenThatMustNeverBePrinted'

let fake: FakeGitHub
beforeAll(() => {
  if (!existsSync(join(root, 'dist/index.js')))
    throw new Error("dist/index.js is missing: run 'npm run build' first")
})
beforeEach(async () => {
  fake = await startFakeGitHub()
})
afterEach(async () => {
  await fake.close()
})

/** A step's environment, with the runner's temp directory there as on a runner. */
function runnerEnv(dir: string, inputs: Record<string, string>, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  mkdirSync(join(dir, 'runner-temp'), { recursive: true })
  return stepEnv(dir, inputs, extra)
}

/** A job step on a runner of repository octo/kubespray, for a pull_request event on PR #5. */
function githubEnv(dir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const eventPath = join(dir, 'event.json')
  writeFileSync(eventPath, JSON.stringify({ pull_request: { number: 5, head: { sha: 'head-sha' } } }))
  return {
    GITHUB_REPOSITORY: `${fake.owner}/${fake.repo}`,
    GITHUB_API_URL: fake.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: 'merge-sha',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW_REF: `${fake.owner}/${fake.repo}/.github/workflows/zfs-join.yml@refs/pull/5/merge`,
    ...extra
  }
}

describe('posting from the bundled action', () => {
  it('a 403 on creating the comment is a warning: the step passes, the summary has the matrix, the check run is made', async () => {
    const dir = tempDir()
    cpSync(join(root, '__tests__/fixtures/results'), join(dir, 'zfs-join-results'), { recursive: true })
    fake.fail({
      method: 'POST',
      path: /\/issues\/5\/comments$/,
      status: 403,
      body: { message: 'Resource not accessible by integration' }
    })
    const env = runnerEnv(dir, { mode: 'report', 'github-token': TOKEN, 'fail-on': 'never' }, githubEnv(dir))
    const r = await actionAsync('dist/index.js', env, dir)
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(
      /::warning::Could not write the comment on pull request #5: .*pull-requests: write/
    )
    const summary = readFileSync(join(dir, 'summary'), 'utf8')
    expect(summary).toContain('## ZFS join matrix')
    expect(summary).toContain('| debian-12')
    expect(fake.checkRuns.map(c => [c.head_sha, c.conclusion])).toEqual([['head-sha', 'success']])
    expect(fileCommands(join(dir, 'output'))['check-run-url']).toMatch(/\/runs\/\d+$/)
    // The runner masks the token after `::add-mask::`; nothing else may carry it.
    const printed = (r.stdout + r.stderr).replaceAll(`::add-mask::${TOKEN}`, '')
    expect(printed).not.toContain(TOKEN)
    for (const file of ['output', 'summary', 'state'])
      expect(readFileSync(join(dir, file), 'utf8')).not.toContain(TOKEN)
  })
})

describe('fan-out: plan, one job per shard, one report', () => {
  // Lint without a checkout skips every cell: enough to carry results through the fan-out, and no VM
  // boots; fail-on-empty would fail such a run, which is not what these tests are about.
  const axes = { images: 'debian-12', include: 'debian-12/zfs', tiers: 'lint', 'fail-on-empty': 'false' }

  it('shards upload their results as uniquely named artifacts; report downloads, merges, gates and posts once', async () => {
    // Each job has its own workspace, as each matrix job runs on its own runner.
    const planDir = tempDir()
    const plan = await actionAsync(
      'dist/index.js',
      runnerEnv(planDir, { ...axes, mode: 'plan', shards: '2' }, githubEnv(planDir)),
      planDir
    )
    expect(plan.status).toBe(0)
    const matrix = JSON.parse(fileCommands(join(planDir, 'output')).matrix!) as {
      include: { shard: string }[]
    }
    expect(matrix.include.map(j => j.shard)).toEqual(['1/2', '2/2'])

    const artifactEnv = { ACTIONS_RUNTIME_TOKEN: runtimeToken(), ACTIONS_RESULTS_URL: fake.resultsUrl }
    for (const { shard } of matrix.include) {
      const dir = tempDir()
      const env = runnerEnv(
        dir,
        { ...axes, mode: 'run', shard, 'github-token': TOKEN },
        githubEnv(dir, artifactEnv)
      )
      const r = await actionAsync('dist/index.js', env, dir)
      expect(r.stdout).toContain('Uploaded')
      expect(r.status).toBe(0)
      expect(fileCommands(join(dir, 'output')).artifact).toBe(
        `zfs-join-results-shard-${shard.replace('/', '-of-')}-attempt-1`
      )
    }
    // A shard job never posts: the report job does, once.
    expect(fake.comments).toHaveLength(0)
    expect(fake.checkRuns).toHaveLength(0)
    expect(fake.artifacts.map(a => [a.runId, a.name])).toEqual([
      [42, 'zfs-join-results-shard-1-of-2-attempt-1'],
      [42, 'zfs-join-results-shard-2-of-2-attempt-1']
    ])

    const reportDir = tempDir()
    const env = runnerEnv(reportDir, { ...axes, mode: 'report', 'github-token': TOKEN }, githubEnv(reportDir))
    const report = await actionAsync('dist/index.js', env, reportDir)
    expect(report.stdout).toContain('Downloaded 2 results artifact(s) of run 42')
    expect(report.status).toBe(0)
    const results = JSON.parse(readFileSync(join(reportDir, 'zfs-join-results/results.json'), 'utf8')) as {
      cells: { id: string; status: string }[]
    }
    expect(results.cells.map(c => c.id).sort()).toEqual(
      ['nerdctl', 'crictl', 'ctr']
        .flatMap(t => [`debian-12/zfs/${t}/kubespray`, `debian-12/zfs/${t}/fixed`])
        .sort()
    )
    // No kubespray checkout to lint: every cell says so, none passes.
    expect(new Set(results.cells.map(c => c.status))).toEqual(new Set(['skipped']))
    expect(readdirSync(join(reportDir, 'zfs-join-results/artifacts')).sort()).toEqual([
      'zfs-join-results-shard-1-of-2-attempt-1',
      'zfs-join-results-shard-2-of-2-attempt-1'
    ])
    expect(fake.comments).toHaveLength(1)
    expect(fake.comments[0]!.body.startsWith(titleMarker('sticky', 'ZFS join matrix'))).toBe(true)
    expect(fake.comments[0]!.body).toContain('6 cells: 0 passed, 0 failed, 0 errors, 6 skipped')
    expect(fake.checkRuns).toHaveLength(1)
  })

  it("a re-run shard uploads under a new attempt and report takes each shard's latest attempt", async () => {
    const artifactEnv = { ACTIONS_RUNTIME_TOKEN: runtimeToken(), ACTIONS_RESULTS_URL: fake.resultsUrl }
    for (const attempt of ['1', '2']) {
      const dir = tempDir()
      const env = runnerEnv(
        dir,
        { ...axes, mode: 'run', shard: '1/1' },
        githubEnv(dir, { ...artifactEnv, GITHUB_RUN_ATTEMPT: attempt })
      )
      expect((await actionAsync('dist/index.js', env, dir)).status).toBe(0)
    }
    expect(fake.artifacts.map(a => a.name)).toEqual([
      'zfs-join-results-shard-1-of-1-attempt-1',
      'zfs-join-results-shard-1-of-1-attempt-2'
    ])
    const dir = tempDir()
    const env = runnerEnv(
      dir,
      { ...axes, mode: 'report', 'github-token': TOKEN, 'comment-mode': 'off' },
      githubEnv(dir)
    )
    const r = await actionAsync('dist/index.js', env, dir)
    expect(r.status).toBe(0)
    expect(readdirSync(join(dir, 'zfs-join-results/artifacts'))).toEqual([
      'zfs-join-results-shard-1-of-1-attempt-2'
    ])
  })

  it('the fork pattern: a workflow_run workflow merges the tested run and finds the pull request in its event file', async () => {
    fake.addPull({ number: 9, headSha: 'fork-sha', headRepo: 'forker/kubespray', state: 'open' })
    // The tested run (id 77) of a fork's pull request: mode all with a read-only token, results uploaded.
    fake.uploadRunId = 77
    const testDir = tempDir()
    const forkEvent = join(testDir, 'fork-event.json')
    writeFileSync(forkEvent, JSON.stringify({ pull_request: { number: 9, head: { sha: 'fork-sha' } } }))
    fake.fail({ method: 'POST', path: /^\/repos\//, status: 403, times: Infinity })
    const tested = await actionAsync(
      'dist/index.js',
      runnerEnv(
        testDir,
        { ...axes, 'upload-results': 'always', 'github-token': TOKEN },
        githubEnv(testDir, {
          GITHUB_EVENT_PATH: forkEvent,
          GITHUB_RUN_ID: '77',
          ACTIONS_RUNTIME_TOKEN: runtimeToken(),
          ACTIONS_RESULTS_URL: fake.resultsUrl
        })
      ),
      testDir
    )
    expect(tested.status).toBe(0)
    expect(tested.stdout).toMatch(/::warning::Could not write the comment on pull request #9/)
    expect(fake.artifacts.map(a => [a.runId, a.name])).toEqual([
      [77, 'zfs-join-results-shard-1-of-1-attempt-1']
    ])

    // The posting workflow: triggered by workflow_run, with a write token and the tested run's id.
    await fake.close()
    const artifacts = fake.artifacts
    fake = await startFakeGitHub()
    fake.addPull({ number: 9, headSha: 'fork-sha', headRepo: 'forker/kubespray', state: 'open' })
    for (const a of artifacts) fake.addArtifact(a.runId, a.name, a.zip)
    const postDir = tempDir()
    const runEvent = join(postDir, 'workflow-run.json')
    writeFileSync(
      runEvent,
      JSON.stringify({ workflow_run: { id: 77, head_sha: 'fork-sha', pull_requests: [] } })
    )
    const posted = await actionAsync(
      'dist/index.js',
      runnerEnv(
        postDir,
        { ...axes, mode: 'report', 'results-run-id': '77', 'github-token': TOKEN },
        githubEnv(postDir, {
          GITHUB_EVENT_NAME: 'workflow_run',
          GITHUB_EVENT_PATH: runEvent,
          GITHUB_RUN_ID: '78'
        })
      ),
      postDir
    )
    expect(posted.status).toBe(0)
    expect(posted.stdout).toContain("Posting on pull request #9 (found from the tested run's event file)")
    expect(fake.comments.map(c => c.issue)).toEqual([9])
    expect(fake.checkRuns.map(c => c.head_sha)).toEqual(['fork-sha'])
  })
})
