import * as cache from '@actions/cache'
import type { Log } from '../log/log.js'

/**
 * A cache shared between runs on different machines (GitHub's cache service on runners). Optional:
 * the CLI and self-hosted labs use only the local image cache.
 */
export interface RemoteImageCache {
  /** Restores `dir` saved under `key`; false when there is none. */
  restore(dir: string, key: string): Promise<boolean>
  save(dir: string, key: string): Promise<void>
}

export function remoteCacheKey(dirName: string): string {
  return `zfs-join-matrix-image-${dirName}`
}

/**
 * @actions/cache, when the runner provides the cache service. Failures never fail the run: a missed
 * restore means a local build, a failed save means the next run builds again.
 */
export function actionsImageCache(log: Log): RemoteImageCache | undefined {
  if (!cache.isFeatureAvailable()) return undefined
  return {
    restore: async (dir, key) => {
      try {
        return (await cache.restoreCache([dir], key)) === key
      } catch (e) {
        log.warning(`image cache restore failed (${key}): ${(e as Error).message}`)
        return false
      }
    },
    save: async (dir, key) => {
      try {
        await cache.saveCache([dir], key)
      } catch (e) {
        log.warning(`image cache save failed (${key}): ${(e as Error).message}`)
      }
    }
  }
}
