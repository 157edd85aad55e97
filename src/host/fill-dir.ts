import { existsSync, renameSync, rmSync } from 'node:fs'
import type { CleanupLedger } from '../cleanup/ledger.js'

/**
 * Fills a cache directory so that it is either absent or complete: `fill` writes into
 * `<dir>.partial-<pid>` beside it (which it creates), renamed into place once `fill` resolves. The
 * partial directory is removed whatever happens, and is in `ledger` meanwhile so a killed run's debris
 * is swept. When another process completed `dir` first, its copy is kept.
 */
export async function fillDir<T>(
  dir: string,
  fill: (partial: string) => Promise<T>,
  ledger?: CleanupLedger
): Promise<T> {
  const partial = `${dir}.partial-${process.pid}`
  const resource = { kind: 'dir' as const, path: partial }
  rmSync(partial, { recursive: true, force: true })
  ledger?.add(resource)
  try {
    const value = await fill(partial)
    try {
      renameSync(partial, dir)
    } catch (e) {
      if (!existsSync(dir)) throw e
    }
    return value
  } finally {
    rmSync(partial, { recursive: true, force: true })
    ledger?.remove(resource)
  }
}
