import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import type { Log } from '../log/log.js'
import { CleanupLedger, describe, release, type Resource } from './ledger.js'
import { errorMessage } from '../text/error-message.js'

/** The VMs and helpers the ledger lists, killed; nothing else is touched on the way out. */
function killListedProcesses(ledger: CleanupLedger): void {
  for (const resource of ledger.read()) {
    if (resource.kind !== 'process') continue
    try {
      release(resource)
      ledger.remove(resource)
    } catch {
      // Gone already, or not ours to kill: the sweep that follows will say.
    }
  }
}

export interface RunScope {
  /** Scratch space for this run (keys, disk overlays); removed when the run ends, however it ends. */
  readonly workDir: string
  /** Aborted on SIGINT or SIGTERM (a cancelled workflow sends both). */
  readonly signal: AbortSignal
}

/** How long a run may take to stop after SIGINT/SIGTERM before it exits without finishing. */
export const STOP_DEADLINE_MS = 10_000

/** What a shell reports for a process ended by the signal (128 + its number). */
const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 }

/**
 * Runs `body` with a work directory recorded in the ledger and with SIGINT/SIGTERM turned into an abort
 * signal, so the pipeline stops starting cells, closes its sessions and still reports what finished.
 *
 * A stop is bounded: 10 s after the first signal, or at once on a second one (a user pressing Ctrl-C
 * again, a runner escalating a cancel), the process kills the processes its ledger lists and exits,
 * leaving the rest of the ledger (dirs, mounts, pools) for the post step or the next run to sweep.
 */
export async function withRunScope<T>(
  tempRoot: string,
  ledger: CleanupLedger,
  log: Log,
  body: (scope: RunScope) => Promise<T>
): Promise<T> {
  const controller = new AbortController()
  const exitNow = (signal: NodeJS.Signals, why: string): never => {
    log.error(`${why}: exiting now; ${ledger.path} lists what is left for the post step or the next run`)
    killListedProcesses(ledger)
    process.exit(SIGNAL_EXIT[signal] ?? 1)
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) exitNow(signal, `${signal} received again`)
    log.warning(`${signal} received: stopping after the current step and cleaning up (at most 10 s)`)
    controller.abort(new Error(signal))
    // unref: a run that stops in time exits without waiting for this timer.
    setTimeout(
      () => exitNow(signal, `still stopping ${STOP_DEADLINE_MS / 1000} s after ${signal}`),
      STOP_DEADLINE_MS
    ).unref()
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
      log.warning(`could not remove ${describe(resource)}: ${errorMessage(e)}`)
    }
  }
}
