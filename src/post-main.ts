import * as core from '@actions/core'
import { CleanupLedger, LEDGER_STATE, sweep } from './cleanup/ledger.js'
import { actionsLog } from './log/actions-log.js'
import { errorMessage } from './text/error-message.js'

/**
 * The action's post step: runs even when the main step failed, timed out or was cancelled, and removes
 * whatever the main step's ledger still lists. A failure here is a warning: it must not hide the result.
 */
export function cleanup(): void {
  const path = core.getState(LEDGER_STATE)
  if (path === '') return
  try {
    const removed = sweep(new CleanupLedger(path), actionsLog())
    core.info(
      removed > 0 ? `Removed ${removed} resource(s) the main step left behind` : 'Nothing left to clean up'
    )
  } catch (e) {
    core.warning(`cleanup failed: ${errorMessage(e)}`)
  }
}
