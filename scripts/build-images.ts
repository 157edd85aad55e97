/**
 * Builds (or finds in the cache) node images: `tsx scripts/build-images.ts debian-12 debian-13`.
 * The cache directory is ZJM_IMAGE_CACHE, default ~/.cache/zfs-join-matrix/images.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { CleanupLedger, sweep } from '../src/cleanup/ledger.js'
import { processExecutor } from '../src/exec/executor.js'
import { findImage } from '../src/images/catalogue.js'
import { ensureImage } from '../src/images/cache.js'
import { DEFAULT_MIRROR } from '../src/images/recipe.js'
import { consoleLog } from '../src/log/log.js'

const log = consoleLog(process.stdout)
const workDir = mkdtempSync(join(tmpdir(), 'zjm-build-'))
const ledger = new CleanupLedger(join(workDir, '..', `zjm-build-${process.pid}.ledger.json`))
const controller = new AbortController()
process.on('SIGINT', () => controller.abort())
process.on('SIGTERM', () => controller.abort())
const cacheDir = process.env.ZJM_IMAGE_CACHE ?? join(homedir(), '.cache', 'zfs-join-matrix', 'images')
try {
  for (const name of process.argv.slice(2)) {
    const image = findImage(name)
    if (image === undefined) throw new Error(`unknown image ${name}`)
    const t = Date.now()
    const artifacts = await ensureImage(
      image,
      { dir: cacheDir, mirror: process.env.ZJM_MIRROR ?? DEFAULT_MIRROR },
      { exec: processExecutor, ledger, log, signal: controller.signal, workDir }
    )
    log.info(`${name}: ${artifacts.dir} (${Math.round((Date.now() - t) / 1000)}s)`)
  }
} finally {
  sweep(ledger, log)
  rmSync(workDir, { recursive: true, force: true })
}
