/**
 * The host context for the project's own scripts (bench, image builds), made the way the CLI makes it:
 * a run scope (work dir, SIGINT/SIGTERM → abort) and a ledger named like the CLI's, so a script killed
 * outright is swept by the next CLI run. Whatever the body leaves in the ledger is swept at the end.
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CleanupLedger, sweep } from '../src/cleanup/ledger.js'
import { withRunScope } from '../src/cleanup/run-scope.js'
import { processExecutor } from '../src/exec/executor.js'
import type { HostContext } from '../src/host/context.js'
import type { Log } from '../src/log/log.js'

export async function withScriptHost<T>(log: Log, body: (host: HostContext) => Promise<T>): Promise<T> {
  const ledger = new CleanupLedger(join(tmpdir(), `zfs-join-matrix-cli-${process.pid}.ledger.json`))
  try {
    return await withRunScope(tmpdir(), ledger, log, scope =>
      body({ exec: processExecutor, ledger, log, signal: scope.signal, workDir: scope.workDir })
    )
  } finally {
    sweep(ledger, log)
  }
}
