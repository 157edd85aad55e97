/** Ctrl-C in the middle of an image build, through the bundled CLI: no mount, work dir or partial image stays. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { newestCached } from '../../src/images/cache.js'
import { IMAGE_CACHE, MIRROR, vmTestsEnabled } from './vm-env.js'

const describeVm = vmTestsEnabled() ? describe : describe.skip
const CLI = join(resolve(import.meta.dirname, '../..'), 'dist/cli/index.js')

describeVm('interrupting an image build', () => {
  it(
    'SIGINT while the chroot is mounted: the CLI unmounts, removes its work dir and leaves no partial image',
    async () => {
      const base = mkdtempSync(join(tmpdir(), 'zjm-interrupt-'))
      const cache = join(base, 'cache')
      // "apt update" finishes inside the chroot, with proc, sys, dev and dev/pts mounted.
      const build = await buildUntil(base, cache, 'debian-12', /debian-12: apt update/)
      expect(mountsUnder(base).length).toBeGreaterThanOrEqual(4)
      await expectInterruptedCleanly(build, base, cache)
    },
    15 * 60_000
  )

  it(
    "SIGINT while a derived image's copied root is loop-mounted: no mount, loop device, work dir or partial image stays",
    async () => {
      const base = mkdtempSync(join(tmpdir(), 'zjm-interrupt-'))
      const cache = join(base, 'cache')
      mkdirSync(cache)
      // The base image is copied from the shared cache (built there first if it is not yet), so that
      // only the derivation runs here.
      if (newestCached(IMAGE_CACHE, 'debian-13') === undefined) {
        const r = spawnSync(
          'node',
          [CLI, 'images', '--images', 'debian-13', '--image-cache', IMAGE_CACHE, '--mirror', MIRROR],
          {
            encoding: 'utf8'
          }
        )
        expect({ status: r.status, stderr: r.stderr.slice(-2000) }).toMatchObject({ status: 0 })
      }
      const debian13 = newestCached(IMAGE_CACHE, 'debian-13')!
      expect(spawnSync('cp', ['-a', '--sparse=always', debian13.dir, cache]).status).toBe(0)
      const build = await buildUntil(
        base,
        cache,
        'debian-13-containerd2',
        /debian-13-containerd2: apt update/
      )
      expect(out(build)).toContain('debian-13-containerd2: root filesystem of debian-13')
      const loops = () =>
        spawnSync('losetup', ['-a'], { encoding: 'utf8' })
          .stdout.split('\n')
          .filter(l => l.includes(base))
      expect(loops()).toHaveLength(1)
      expect(mountsUnder(base).length).toBeGreaterThanOrEqual(5)
      await expectInterruptedCleanly(build, base, cache)
      expect(loops()).toEqual([])
    },
    20 * 60_000
  )
})

interface Build {
  readonly child: ChildProcess
  readonly exited: Promise<number | null>
  readonly output: { text: string }
}

const out = (build: Build) => build.output.text

/** The CLI's `images` for one image into `cache`, with TMPDIR `base`, once its output matches `line`. */
async function buildUntil(base: string, cache: string, image: string, line: RegExp): Promise<Build> {
  const child = spawn(
    'node',
    [CLI, 'images', '--images', image, '--image-cache', cache, '--mirror', MIRROR],
    {
      cwd: base,
      env: { ...process.env, TMPDIR: base },
      stdio: ['ignore', 'pipe', 'pipe']
    }
  )
  const output = { text: '' }
  child.stdout.on('data', (b: Buffer) => (output.text += b.toString()))
  child.stderr.on('data', (b: Buffer) => (output.text += b.toString()))
  const exited = new Promise<number | null>(r => child.once('exit', code => r(code)))
  const until = Date.now() + 12 * 60_000
  while (!line.test(output.text)) {
    if (Date.now() > until || child.exitCode !== null)
      throw new Error(`the build did not reach ${String(line)}:\n${output.text}`)
    await new Promise(r => setTimeout(r, 250))
  }
  return { child, exited, output }
}

function mountsUnder(base: string): string[] {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .filter(l => l.split(' ')[1]?.startsWith(base))
}

/** SIGINT, then: a failed exit that says why, no mount, no run dir, no partial image; `base` removed. */
async function expectInterruptedCleanly(build: Build, base: string, cache: string): Promise<void> {
  build.child.kill('SIGINT')
  const code = await build.exited
  expect(code).not.toBe(0)
  expect(out(build)).toContain('SIGINT received')
  expect(mountsUnder(base)).toEqual([])
  expect(readdirSync(base).filter(f => f.startsWith('zfs-join-matrix-'))).toEqual([])
  expect(existsSync(cache) ? readdirSync(cache).filter(d => d.includes('.partial')) : []).toEqual([])
  rmSync(base, { recursive: true, force: true })
}
