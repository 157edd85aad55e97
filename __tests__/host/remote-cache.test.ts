import { afterEach, describe, expect, it } from '@jest/globals'
import { actionsCache } from '../../src/host/remote-cache.js'
import { remoteCacheKey } from '../../src/images/cache.js'
import { parseConfig } from '../../src/inputs/parse.js'
import { qemuOptions } from '../../src/providers/make-provider.js'
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

  it('is what the provider keeps and restores images with, when the entry point passes it', () => {
    process.env.ACTIONS_CACHE_URL = 'http://127.0.0.1:9/'
    const config = parseConfig({}, { cwd: tempDir() })
    const remote = actionsCache(recordingLog())
    expect(remote).toBeDefined()
    expect(qemuOptions(config, remote).images.remote).toBe(remote)
    expect(qemuOptions(config, undefined).images.remote).toBeUndefined()
  })

  it('sizes the nodes as the run says, two vCPUs when it does not', () => {
    const config = parseConfig({}, { cwd: tempDir() })
    expect(qemuOptions(config, undefined, { cpus: 1 }).cpus).toBe(1)
    expect(qemuOptions(config, undefined).cpus).toBe(2)
  })

  it('keys an image by its cache directory name', () => {
    expect(remoteCacheKey('debian-12-b1-9790a117892a2b2f')).toBe(
      'zfs-join-matrix-image-debian-12-b1-9790a117892a2b2f'
    )
  })
})
