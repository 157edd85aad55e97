import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import type { Log } from '../log/log.js'
import { CleanupLedger, describe, release, type Resource } from './ledger.js'

export interface RunScope {
  /** Scratch space for this run (keys, disk overlays); removed when the run ends, however it ends. */
  readonly workDir: string
  /** Aborted on SIGINT or SIGTERM (a cancelled workflow sends both). */
  readonly signal: AbortSignal
}

/**
 * Runs `body` with a work directory recorded in the ledger and with SIGINT/SIGTERM turned into an abort
 * signal, so the pipeline stops starting cells, closes its sessions and still reports what finished.
 */
export async function withRunScope<T>(
  tempRoot: string,
  ledger: CleanupLedger,
  log: Log,
  body: (scope: RunScope) => Promise<T>
): Promise<T> {
  const controller = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    log.warning(`${signal} received: stopping after the current step and cleaning up`)
    controller.abort(new Error(signal))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const workDir = mkdtempSync(join(tempRoot, 'zfs-join-matrix-'))
  const resource: Resource = { kind: 'dir', path: workDir }
  ledger.add(resource)
  try {
    return await body({ workDir, signal: controller.signal })
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    try {
      release(resource)
      ledger.remove(resource)
    } catch (e) {
      log.warning(`could not remove ${describe(resource)}: ${(e as Error).message}`)
    }
  }
}
