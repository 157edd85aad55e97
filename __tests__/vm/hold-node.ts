/**
 * Child process for the kill tests: boots one VM inside a run scope (as the CLI does) and holds it until
 * SIGTERM/SIGINT. Prints `LEDGER`, `WORKDIR` and `BOOTED` lines the test waits for.
 * Usage: tsx hold-node.ts <image> <image-cache> <temp-root>
 */
import { join } from 'node:path'
import { CleanupLedger } from '../../src/cleanup/ledger.js'
import { withRunScope } from '../../src/cleanup/run-scope.js'
import { processExecutor } from '../../src/exec/executor.js'
import { findImage } from '../../src/images/catalogue.js'
import { consoleLog } from '../../src/log/log.js'
import { DEFAULT_QEMU_OPTIONS, QemuProvider } from '../../src/providers/qemu/qemu-provider.js'
import { MIRROR } from './vm-env.js'

const [imageName, cacheDir, tempRoot] = process.argv.slice(2) as [string, string, string]
const log = consoleLog(process.stdout)
const ledger = new CleanupLedger(join(tempRoot, `zfs-join-matrix-cli-${process.pid}.ledger.json`))
console.log(`LEDGER ${ledger.path}`)
await withRunScope(tempRoot, ledger, log, async scope => {
  console.log(`WORKDIR ${scope.workDir}`)
  const ctx = { exec: processExecutor, ledger, log, signal: scope.signal, workDir: scope.workDir }
  const provider = new QemuProvider(
    { ...DEFAULT_QEMU_OPTIONS, images: { dir: cacheDir, mirror: MIRROR } },
    ctx
  )
  try {
    const node = await provider.boot(findImage(imageName)!, {
      name: 'held',
      logDir: join(scope.workDir, 'logs')
    })
    console.log(`BOOTED ${node.name}`)
    await new Promise(resolve => scope.signal.addEventListener('abort', resolve, { once: true }))
  } finally {
    await provider.close()
  }
})
console.log('CLEAN EXIT')
