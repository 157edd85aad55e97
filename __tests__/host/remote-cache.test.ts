import { afterEach, describe, expect, it } from '@jest/globals'
import { actionsCache } from '../../src/host/remote-cache.js'
import { remoteCacheKey } from '../../src/images/cache.js'
import { parseConfig } from '../../src/inputs/parse.js'
import { makeProvider } from '../../src/providers/make-provider.js'
import { recordingLog } from '../fakes.js'
import { tempDir } from '../helpers.js'

const SERVICE_VARS = ['ACTIONS_CACHE_URL', 'ACTIONS_RESULTS_URL', 'ACTIONS_CACHE_SERVICE_V2'] as const
const saved = Object.fromEntries(SERVICE_VARS.map(v => [v, process.env[v]]))
afterEach(() => {
  for (const v of SERVICE_VARS) {
    if (saved[v] === undefined) delete process.env[v]
    else process.env[v] = saved[v]
  }
})

describe('the shared image cache', () => {
  it("is used only where the runner provides GitHub's cache service", () => {
    for (const v of SERVICE_VARS) delete process.env[v]
    expect(actionsCache(recordingLog())).toBeUndefined()
    process.env.ACTIONS_CACHE_URL = 'http://127.0.0.1:9/'
    expect(actionsCache(recordingLog())).toEqual({
      restore: expect.any(Function),
      save: expect.any(Function)
    })
    delete process.env.ACTIONS_CACHE_URL
    process.env.ACTIONS_CACHE_SERVICE_V2 = 'true'
    process.env.ACTIONS_RESULTS_URL = 'http://127.0.0.1:9/'
    expect(actionsCache(recordingLog())).toBeDefined()
  })

  it('is wired into the provider the pipeline makes', () => {
    process.env.ACTIONS_CACHE_URL = 'http://127.0.0.1:9/'
    const config = parseConfig({}, { cwd: tempDir() })
    const host = {
      exec: { run: () => Promise.reject(new Error('no')) },
      ledger: undefined as never,
      log: recordingLog(),
      signal: new AbortController().signal,
      workDir: tempDir()
    }
    const provider = makeProvider(config, host)
    expect(
      (provider as unknown as { options: { images: { remote?: unknown } } }).options.images.remote
    ).toBeDefined()
  })

  it('keys an image by its cache directory name', () => {
    expect(remoteCacheKey('debian-12-b1-9790a117892a2b2f')).toBe(
      'zfs-join-matrix-image-debian-12-b1-9790a117892a2b2f'
    )
  })
})
