/**
 * CI's head start on the node images: builds the named images, one at a time and in the order given
 * (the order the real-VM tests first need them), into the cache those tests read, while type checks,
 * lint and the tests run. The images after `--idle` are built at the lowest CPU and I/O priority, so
 * they take mostly the time the tests leave idle, while the first ones, which every VM suite waits for,
 * get their share; a test that needs an image still being built waits on the cache's lock for it
 * instead of building it a second time beside it. Nothing here is a test: a failed build is printed,
 * and the tests then build what is missing themselves.
 *
 * Usage: tsx scripts/prebuild-images.ts IMAGE... [--idle IMAGE...]   (ZJM_IMAGE_CACHE and ZJM_MIRROR as
 * for the tests)
 */
import { homedir, setPriority, tmpdir } from 'node:os'
import { join } from 'node:path'
import { CleanupLedger } from '../src/cleanup/ledger.js'
import { withRunScope } from '../src/cleanup/run-scope.js'
import { cmd } from '../src/exec/command.js'
import { check, processExecutor } from '../src/exec/executor.js'
import { ensureImage } from '../src/images/cache.js'
import { findImage, IMAGE_NAMES } from '../src/images/catalogue.js'
import { DEFAULT_MIRROR } from '../src/images/recipe.js'
import { consoleLog } from '../src/log/log.js'
import { errorMessage } from '../src/text/error-message.js'

const log = consoleLog(process.stderr)
const IDLE = '--idle'
const args = process.argv.slice(2)
const idleFrom = args.includes(IDLE) ? args.indexOf(IDLE) : args.length
const images = args
  .filter(a => a !== IDLE)
  .map(name => {
    const spec = findImage(name)
    if (spec === undefined)
      throw new Error(`unknown image ${name}: the catalogue has ${IMAGE_NAMES.join(', ')}`)
    return spec
  })
const cache = {
  dir: process.env.ZJM_IMAGE_CACHE ?? join(homedir(), '.cache', 'zfs-join-matrix', 'images'),
  mirror: process.env.ZJM_MIRROR ?? DEFAULT_MIRROR
}
// The CLI's ledger name: a prebuild killed outright is swept by the next CLI run on this machine.
const ledger = new CleanupLedger(join(tmpdir(), `zfs-join-matrix-cli-${process.pid}.ledger.json`))
const started = Date.now()
let failed = 0
await withRunScope(tmpdir(), ledger, log, async scope => {
  const host = { exec: processExecutor, ledger, log, signal: scope.signal, workDir: scope.workDir }
  for (const [i, image] of images.entries()) {
    if (scope.signal.aborted) break
    // The builds' processes are started from this thread, and inherit both priorities from it.
    if (i === idleFrom) {
      setPriority(19)
      await check(processExecutor, cmd('ionice', '-c', '3', '-p', String(process.pid)))
      log.info(`prebuild: the images from ${image.name} on are built at the lowest priority`)
    }
    try {
      await ensureImage(image, cache, host)
    } catch (e) {
      failed++
      log.error(`${image.name}: ${errorMessage(e)}`)
    }
  }
})
log.info(
  `prebuild: ${images.length - failed} of ${images.length} image(s) ready in ${Math.round((Date.now() - started) / 1000)} s`
)
process.exitCode = failed === 0 ? 0 : 1
