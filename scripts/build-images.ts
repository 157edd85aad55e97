/**
 * Builds (or finds in the cache) node images: `tsx scripts/build-images.ts debian-12 debian-13`.
 * The cache directory is ZJM_IMAGE_CACHE, default ~/.cache/zfs-join-matrix/images.
 */
import { homedir } from 'node:os'
import { join } from 'node:path'
import { ensureImage } from '../src/images/cache.js'
import { findImage } from '../src/images/catalogue.js'
import { DEFAULT_MIRROR } from '../src/images/recipe.js'
import { consoleLog } from '../src/log/log.js'
import { withScriptHost } from './script-host.js'

const log = consoleLog(process.stdout)
const images = {
  dir: process.env.ZJM_IMAGE_CACHE ?? join(homedir(), '.cache', 'zfs-join-matrix', 'images'),
  mirror: process.env.ZJM_MIRROR ?? DEFAULT_MIRROR
}
await withScriptHost(log, async host => {
  for (const name of process.argv.slice(2)) {
    const image = findImage(name)
    if (image === undefined) throw new Error(`unknown image ${name}`)
    const t = Date.now()
    const artifacts = await ensureImage(image, images, host)
    log.info(`${name}: ${artifacts.dir} (${Math.round((Date.now() - t) / 1000)}s)`)
  }
})
