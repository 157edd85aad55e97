/**
 * `npm run bench:images`: measures the node image pipeline on this machine and writes bench/out/images.json.
 * - cold build seconds per image: from a build done by this run (`--cold` builds into an empty cache),
 *   or else the build time recorded in the cached image's manifest when it was built on this machine;
 * - warm boot: root disk (overlay/clone), boot to ssh, guest pool setup; and reset, median of `--resets`;
 * - the accelerator qemu used and why.
 * Usage: tsx bench/images.ts [--images debian-12,debian-13] [--cold] [--resets 5]
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, homedir, totalmem } from 'node:os'
import { join } from 'node:path'
import { findImage } from '../src/images/catalogue.js'
import { DEFAULT_MIRROR } from '../src/images/recipe.js'
import { consoleLog } from '../src/log/log.js'
import { DEFAULT_QEMU_OPTIONS, QemuProvider } from '../src/providers/qemu/qemu-provider.js'
import { withScriptHost } from '../scripts/script-host.js'

const args = process.argv.slice(2)
const flag = (name: string) => args.includes(`--${name}`)
const value = (name: string, fallback: string) => args[args.indexOf(`--${name}`) + 1] ?? fallback
const imageNames = (args.includes('--images') ? value('images', '') : 'debian-12,debian-13').split(',')
const resets = Number(args.includes('--resets') ? value('resets', '5') : '5')
const log = consoleLog(process.stderr)
const cacheDir = process.env.ZJM_IMAGE_CACHE ?? join(homedir(), '.cache', 'zfs-join-matrix', 'images')
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
const round = (x: number) => Math.round(x * 10) / 10
const round3 = (x: number) => Math.round(x * 1000) / 1000

const results: Record<string, unknown>[] = []
let accelerator = { accel: 'unknown', reason: '' }
await withScriptHost(log, async host => {
  // --cold builds into an empty cache inside the run's work dir, removed with it.
  const images = {
    dir: flag('cold') ? join(host.workDir, 'cold-cache') : cacheDir,
    mirror: process.env.ZJM_MIRROR ?? DEFAULT_MIRROR
  }
  const provider = new QemuProvider({ ...DEFAULT_QEMU_OPTIONS, images }, host)
  try {
    for (const name of imageNames) {
      const image = findImage(name)
      if (image === undefined) throw new Error(`unknown image ${name}`)
      const t = Date.now()
      const artifacts = await provider.image(image)
      const ensureSeconds = (Date.now() - t) / 1000
      const builtNow = Date.now() - Date.parse(artifacts.manifest.builtAt) < ensureSeconds * 1000 + 60_000
      const node = await provider.boot(image, { name: `bench-${name}`, logDir: join(host.workDir, 'logs') })
      accelerator = await provider.accelerator(artifacts.kernel)
      const resetTimes: number[] = []
      for (let i = 0; i < resets; i++) {
        const r = Date.now()
        await node.reset()
        resetTimes.push((Date.now() - r) / 1000)
      }
      const facts = await node.facts()
      await node.destroy()
      results.push({
        image: name,
        kernel: facts.kernel,
        openzfs: facts.openzfs,
        cold_build_seconds: artifacts.manifest.buildSeconds,
        cold_build_source: builtNow
          ? 'built by this run'
          : `manifest of the cached image (built ${artifacts.manifest.builtAt})`,
        root_disk_seconds: round3(node.timings.diskSeconds),
        boot_to_ssh_seconds: round(node.timings.sshSeconds),
        pool_setup_seconds: round(node.timings.poolSeconds),
        reset_seconds_median: round(median(resetTimes)),
        resets: resetTimes.length
      })
    }
  } finally {
    await provider.close()
  }
})
const report = {
  benchmark: 'images',
  date: new Date().toISOString(),
  machine: {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memory_gib: Math.round(totalmem() / 2 ** 30)
  },
  accelerator,
  qemu: { cpus: DEFAULT_QEMU_OPTIONS.cpus, memory_mb: DEFAULT_QEMU_OPTIONS.memoryMb },
  images: results
}
mkdirSync(join(import.meta.dirname, 'out'), { recursive: true })
writeFileSync(join(import.meta.dirname, 'out', 'images.json'), `${JSON.stringify(report, null, 2)}\n`)
console.log(JSON.stringify(report, null, 2))
