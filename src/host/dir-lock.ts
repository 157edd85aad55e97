import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { CleanupLedger } from '../cleanup/ledger.js'
import type { Log } from '../log/log.js'
import { isAlive } from './process-alive.js'

const POLL_MS = 2_000

/**
 * Runs `body` holding the lock `path` (a directory: its creation is atomic), so two processes sharing
 * a cache (two CI jobs, a CI script that builds images ahead of the tests) fill an entry once and the
 * second waits for the first instead of doing the same minutes of work beside it. A lock whose holder
 * is gone (killed outright) is taken over; the lock is in `ledger` while held, so a sweep removes it.
 */
export async function withDirLock<T>(
  path: string,
  waiting: string,
  body: () => Promise<T>,
  deps: { readonly log: Log; readonly signal: AbortSignal; readonly ledger?: CleanupLedger }
): Promise<T> {
  let told = false
  let pidless = false
  for (;;) {
    deps.signal.throwIfAborted()
    try {
      mkdirSync(path)
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
    const holder = lockHolder(path)
    // A lock still without a pid after a poll lost its holder between creating it and writing the pid.
    if ((holder === null && pidless) || (holder !== null && !isAlive(holder))) {
      rmSync(path, { recursive: true, force: true })
    } else if (holder !== null && !told) {
      deps.log.info(`${waiting} (pid ${holder})`)
      told = true
    }
    pidless = holder === null
    await sleep(POLL_MS, undefined, { signal: deps.signal })
  }
  const resource = { kind: 'dir' as const, path }
  deps.ledger?.add(resource)
  try {
    writeFileSync(join(path, 'pid'), String(process.pid))
    return await body()
  } finally {
    rmSync(path, { recursive: true, force: true })
    deps.ledger?.remove(resource)
  }
}

function lockHolder(path: string): number | null {
  try {
    const pid = Number(readFileSync(join(path, 'pid'), 'utf8'))
    return Number.isInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}
