/** Ctrl-C in the middle of an image build, through the bundled CLI: no mount, work dir or partial image stays. */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { MIRROR, vmTestsEnabled } from './vm-env.js'

const describeVm = vmTestsEnabled() ? describe : describe.skip
const root = resolve(import.meta.dirname, '../..')

describeVm('interrupting an image build', () => {
  it(
    'SIGINT while the chroot is mounted: the CLI unmounts, removes its work dir and leaves no partial image',
    async () => {
      const base = mkdtempSync(join(tmpdir(), 'zjm-interrupt-'))
      const cache = join(base, 'cache')
      const child = spawn(
        'node',
        [
          join(root, 'dist/cli/index.js'),
          'images',
          '--images',
          'debian-12',
          '--image-cache',
          cache,
          '--mirror',
          MIRROR
        ],
        { cwd: base, env: { ...process.env, TMPDIR: base }, stdio: ['ignore', 'pipe', 'pipe'] }
      )
      let out = ''
      child.stdout.on('data', (b: Buffer) => (out += b.toString()))
      child.stderr.on('data', (b: Buffer) => (out += b.toString()))
      const exited = new Promise<number | null>(r => child.once('exit', code => r(code)))
      const mountsUnder = () =>
        readFileSync('/proc/self/mounts', 'utf8')
          .split('\n')
          .filter(l => l.split(' ')[1]?.startsWith(base))
      // "apt update" finishes inside the chroot, with proc, sys, dev and dev/pts mounted.
      const until = Date.now() + 10 * 60_000
      while (!/debian-12: apt update/.test(out)) {
        if (Date.now() > until || child.exitCode !== null)
          throw new Error(`the build did not reach apt update:\n${out}`)
        await new Promise(r => setTimeout(r, 250))
      }
      expect(mountsUnder().length).toBeGreaterThanOrEqual(4)
      child.kill('SIGINT')
      const code = await exited
      expect(code).not.toBe(0)
      expect(out).toContain('SIGINT received')
      expect(mountsUnder()).toEqual([])
      expect(readdirSync(base).filter(f => f.startsWith('zfs-join-matrix-'))).toEqual([])
      expect(existsSync(cache) ? readdirSync(cache).filter(d => d.includes('.partial')) : []).toEqual([])
      rmSync(base, { recursive: true, force: true })
    },
    15 * 60_000
  )
})
