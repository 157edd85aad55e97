import * as cache from '@actions/cache'
import type { Log } from '../log/log.js'
import { errorMessage } from '../text/error-message.js'

/**
 * A cache shared between runs on different machines (GitHub's cache service on runners), for node
 * images and Ansible's wheels. Optional: the CLI and self-hosted labs use only the local cache dir.
 */
export interface RemoteCache {
  /** Restores `dir` saved under `key`; false when there is none. */
  restore(dir: string, key: string): Promise<boolean>
  save(dir: string, key: string): Promise<void>
}

/**
 * @actions/cache, when the runner provides the cache service. Failures never fail the run: a missed
 * restore means a local build (or download), a failed save means the next run does it again.
 */
export function actionsCache(log: Log): RemoteCache | undefined {
  if (!cache.isFeatureAvailable()) return undefined
  return {
    restore: async (dir, key) => {
      try {
        return (await cache.restoreCache([dir], key)) === key
      } catch (e) {
        log.warning(`cache restore failed (${key}): ${errorMessage(e)}`)
        return false
      }
    },
    save: async (dir, key) => {
      try {
        await cache.saveCache([dir], key)
      } catch (e) {
        log.warning(`cache save failed (${key}): ${errorMessage(e)}`)
      }
    }
  }
}
