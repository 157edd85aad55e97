/**
 * CI's head start on the node images: builds the named images, one at a time and in the order given
 * (the order the real-VM tests first need them), into the cache those tests read, while type checks,
 * lint and the unit tests run. ci.sh runs it at the lowest CPU and I/O priority, so it takes mostly the
 * time the tests leave idle; a test that needs an image still being built waits on the cache's lock for
 * it instead of building it a second time beside it. Nothing here is a test: a failed build is printed,
 * and the tests then build what is missing themselves.
 *
 * Usage: tsx scripts/prebuild-images.ts IMAGE...   (ZJM_IMAGE_CACHE and ZJM_MIRROR as for the tests)
 */
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { CleanupLedger } from '../src/cleanup/ledger.js'
import { withRunScope } from '../src/cleanup/run-scope.js'
import { processExecutor } from '../src/exec/executor.js'
import { ensureImage } from '../src/images/cache.js'
import { findImage, IMAGE_NAMES } from '../src/images/catalogue.js'
import { DEFAULT_MIRROR } from '../src/images/recipe.js'
import { consoleLog } from '../src/log/log.js'
import { errorMessage } from '../src/text/error-message.js'

const log = consoleLog(process.stderr)
const images = process.argv.slice(2).map(name => {
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
  for (const image of images) {
    if (scope.signal.aborted) break
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
