/**
 * Child process for the signal tests: a run scope whose body starts a helper process (listed in the
 * ledger, as qemu is) and, once aborted, takes `stopSeconds` to finish stopping: a stop slower than the
 * deadline is what the deadline is for. Prints `READY <ledger>` once the helper runs.
 * Usage: node --import tsx slow-stop.ts <temp-root> <stop-seconds>
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { CleanupLedger } from '../../src/cleanup/ledger.js'
import { withRunScope } from '../../src/cleanup/run-scope.js'
import { consoleLog } from '../../src/log/log.js'

const [tempRoot, stopSeconds] = process.argv.slice(2) as [string, string]
const log = consoleLog(process.stderr)
const ledger = new CleanupLedger(join(tempRoot, `zfs-join-matrix-cli-${process.pid}.ledger.json`))
await withRunScope(tempRoot, ledger, log, async scope => {
  // Not through setpriv: the helper outlives this process unless the run kills what its ledger lists.
  const helper = spawn('sleep', ['299.731'], { stdio: 'ignore', detached: true })
  ledger.add({ kind: 'process', pid: helper.pid!, match: 'sleep 299.731' })
  console.log(`READY ${ledger.path} ${helper.pid}`)
  await new Promise(resolve => scope.signal.addEventListener('abort', resolve, { once: true }))
  await new Promise(resolve => setTimeout(resolve, Number(stopSeconds) * 1000))
  process.kill(helper.pid!, 'SIGKILL')
  ledger.remove({ kind: 'process', pid: helper.pid!, match: 'sleep 299.731' })
})
console.log('STOPPED')
