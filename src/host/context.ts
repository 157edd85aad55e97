import type { CleanupLedger } from '../cleanup/ledger.js'
import type { Executor } from '../exec/executor.js'
import type { Log } from '../log/log.js'

/** What provisioning code needs from the run: how to run commands, where to record what it creates. */
export interface HostContext {
  readonly exec: Executor
  readonly ledger: CleanupLedger
  readonly log: Log
  /** Aborted on cancel: long steps (debootstrap, DKMS, boots) stop and clean up. */
  readonly signal: AbortSignal
  /** Scratch space removed when the run ends. */
  readonly workDir: string
}
