import { describe, expect, it } from '@jest/globals'
import { readGitHubEnv, runUrl, type GitHubEnv } from '../../src/github/github-env.js'

const BASE: NodeJS.ProcessEnv = { GITHUB_REPOSITORY: 'octo/kubespray' }

function read(env: NodeJS.ProcessEnv): GitHubEnv {
  const read = readGitHubEnv(env)
  if (read === null) throw new Error('expected an environment')
  return read
}

describe('readGitHubEnv', () => {
  it('is null outside GitHub Actions and for a malformed GITHUB_REPOSITORY', () => {
    expect(readGitHubEnv({})).toBeNull()
    expect(readGitHubEnv({ GITHUB_RUN_ID: '5', GITHUB_API_URL: 'https://api.github.com' })).toBeNull()
    for (const repository of ['', 'octo', 'octo/', '/kubespray', 'octo/kubespray/extra', '/', 'a//b']) {
      expect(readGitHubEnv({ GITHUB_REPOSITORY: repository })).toBeNull()
    }
  })

  it('reads a full run environment', () => {
    expect(
      readGitHubEnv({
        GITHUB_REPOSITORY: 'octo/kubespray',
        GITHUB_API_URL: 'https://ghe.example/api/v3',
        GITHUB_SERVER_URL: 'https://ghe.example',
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: '/home/runner/work/_temp/_github_workflow/event.json',
        GITHUB_SHA: 'abc123',
        GITHUB_RUN_ID: '123456789',
        GITHUB_RUN_ATTEMPT: '3',
        GITHUB_WORKFLOW_REF: 'octo/kubespray/.github/workflows/zfs.yml@refs/pull/1/merge',
        ACTIONS_RUNTIME_TOKEN: 'token',
        ACTIONS_RESULTS_URL: 'https://results.example/'
      })
    ).toEqual({
      owner: 'octo',
      repo: 'kubespray',
      apiUrl: 'https://ghe.example/api/v3',
      serverUrl: 'https://ghe.example',
      eventName: 'pull_request',
      eventPath: '/home/runner/work/_temp/_github_workflow/event.json',
      sha: 'abc123',
      runId: 123456789,
      runAttempt: 3,
      workflowPath: '.github/workflows/zfs.yml',
      artifactService: true
    })
  })

  it('defaults what the runner did not give', () => {
    expect(read(BASE)).toEqual({
      owner: 'octo',
      repo: 'kubespray',
      apiUrl: 'https://api.github.com',
      serverUrl: 'https://github.com',
      eventName: '',
      eventPath: null,
      sha: null,
      runId: null,
      runAttempt: 1,
      workflowPath: null,
      artifactService: false
    })
    // Empty variables are as good as absent.
    const empty = read({
      ...BASE,
      GITHUB_API_URL: '',
      GITHUB_SERVER_URL: '',
      GITHUB_EVENT_PATH: '',
      GITHUB_SHA: ''
    })
    expect([empty.apiUrl, empty.serverUrl, empty.eventPath, empty.sha]).toEqual([
      'https://api.github.com',
      'https://github.com',
      null,
      null
    ])
  })

  it('strips trailing slashes from the API and server URLs', () => {
    const env = read({
      ...BASE,
      GITHUB_API_URL: 'https://ghe.example/api/v3//',
      GITHUB_SERVER_URL: 'https://ghe.example/'
    })
    expect(env.apiUrl).toBe('https://ghe.example/api/v3')
    expect(env.serverUrl).toBe('https://ghe.example')
  })

  it.each([
    ['42', 42],
    ['9007199254740991', 9007199254740991],
    ['', null],
    ['0', null],
    ['-3', null],
    ['1.5', null],
    ['abc', null],
    ['9007199254740993', null]
  ])('reads GITHUB_RUN_ID %j as %p', (text, expected) => {
    expect(read({ ...BASE, GITHUB_RUN_ID: text }).runId).toBe(expected)
  })

  it.each([
    ['2', 2],
    ['1', 1],
    ['', 1],
    ['0', 1],
    ['-1', 1],
    ['2.5', 1],
    ['x', 1]
  ])('reads GITHUB_RUN_ATTEMPT %j as %p', (text, expected) => {
    expect(read({ ...BASE, GITHUB_RUN_ATTEMPT: text }).runAttempt).toBe(expected)
  })

  it.each([
    ['octo/kubespray/.github/workflows/zfs.yml@refs/pull/1/merge', '.github/workflows/zfs.yml'],
    ['octo/kubespray/.github/workflows/nightly.yaml@refs/heads/master', '.github/workflows/nightly.yaml'],
    ['octo/kubespray/.github/workflows/zfs.yml', '.github/workflows/zfs.yml'],
    // git allows `@` in branch names: the path still ends where the ref begins.
    ['octo/kubespray/.github/workflows/zfs.yml@refs/heads/user@feature', '.github/workflows/zfs.yml'],
    // A reusable workflow of another repository, or a fork's name that starts the same.
    ['other/kubespray/.github/workflows/zfs.yml@refs/heads/main', null],
    ['octo/kubespray-fork/.github/workflows/zfs.yml@refs/heads/main', null],
    ['octo/kubespray/@refs/heads/main', null],
    ['', null]
  ])('reads the workflow path from GITHUB_WORKFLOW_REF %j as %p', (ref, expected) => {
    expect(read({ ...BASE, GITHUB_WORKFLOW_REF: ref }).workflowPath).toBe(expected)
  })

  it('has the artifact service only with both ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL', () => {
    const service = (extra: NodeJS.ProcessEnv): boolean => read({ ...BASE, ...extra }).artifactService
    expect(service({ ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'https://r/' })).toBe(true)
    expect(service({ ACTIONS_RUNTIME_TOKEN: 't' })).toBe(false)
    expect(service({ ACTIONS_RESULTS_URL: 'https://r/' })).toBe(false)
    expect(service({ ACTIONS_RUNTIME_TOKEN: '', ACTIONS_RESULTS_URL: 'https://r/' })).toBe(false)
    expect(service({})).toBe(false)
  })
})

describe('runUrl', () => {
  it("links the run's page on the server", () => {
    const env = read({ ...BASE, GITHUB_RUN_ID: '77' })
    expect(runUrl(env)).toBe('https://github.com/octo/kubespray/actions/runs/77')
    expect(runUrl(env, 5)).toBe('https://github.com/octo/kubespray/actions/runs/5')
    const ghe = read({ ...BASE, GITHUB_SERVER_URL: 'https://ghe.example/', GITHUB_RUN_ID: '8' })
    expect(runUrl(ghe)).toBe('https://ghe.example/octo/kubespray/actions/runs/8')
  })

  it('is null without a run id', () => {
    const env = read(BASE)
    expect(runUrl(env)).toBeNull()
    expect(runUrl(env, null)).toBeNull()
    expect(runUrl(read({ ...BASE, GITHUB_RUN_ID: '77' }), null)).toBeNull()
  })
})
