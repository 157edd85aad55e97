/**
 * A guest that stops answering, for real: the probe's qemu is SIGSTOPped in the middle of its first
 * cell. That cell ends at the cell timeout saying the VM stopped, with the serial console's last lines;
 * the image's other cells end at once naming the dead VM, instead of each waiting on ssh; the run
 * finishes, fails the step (harness errors are not a success), and leaves no qemu behind.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import type { CellResult } from '../../src/results/cell-result.js'
import { tempDir } from '../helpers.js'
import { qemuProcesses } from './processes.js'
import { IMAGE_CACHE, MIRROR, vmTestsEnabled } from './vm-env.js'

const describeVm = vmTestsEnabled() ? describe : describe.skip
const root = resolve(import.meta.dirname, '../..')

describeVm('a guest that stops answering', () => {
  it(
    'the cell that timed out names the stopped VM with its console; the rest end at once; the step fails',
    async () => {
      const dir = tempDir()
      const tmp = join(dir, 'tmp')
      mkdirSync(tmp)
      const out = join(dir, 'out')
      const started = Date.now()
      const cli = spawn(
        process.execPath,
        [
          join(root, 'dist/cli/index.js'),
          'run',
          ...['--tiers', 'probe', '--images', 'debian-12', '--tools', 'ctr', '--variants', 'kubespray'],
          ...['--cell-timeout', '60s', '--retries', '0', '--output-dir', out],
          ...['--image-cache', IMAGE_CACHE, '--mirror', MIRROR, '--runner-setup', 'never']
        ],
        { cwd: dir, env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'ignore', 'pipe'] }
      )
      let stderr = ''
      cli.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
      const exited = new Promise<number | null>(r => cli.once('exit', code => r(code)))
      // The first cell's attempt directory is made just before it runs.
      const first = join(out, 'logs/debian-12/overlayfs/ctr/kubespray/probe/attempt-1')
      for (let i = 0; i < 900 && !existsSync(first); i++) await new Promise(r => setTimeout(r, 200))
      const [vm] = qemuProcesses(tmp)
      expect(vm).toBeDefined()
      process.kill(vm!, 'SIGSTOP')
      const stoppedAt = Date.now()
      const code = await exited
      const cells = (JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { cells: CellResult[] })
        .cells
      const messages = cells.map(c => [c.id, c.status === 'error' ? c.message : c.status])
      // The cell ends at its timeout, or sooner when ssh itself gives up (its banner exchange times out);
      // either way its message says what failed and that the VM stopped, with the console's last lines.
      expect(messages[0]![1]).toMatch(
        /^(timed out after 1m \(cell-timeout\)|[^]*Connection timed out[^;]*); the VM probe-debian-12 stopped: its qemu \(pid \d+\) is stopped \(state T: SIGSTOP or a debugger\); serial console's last lines:\n/
      )
      // Console text without its colour codes.
      expect(messages[0]![1]).not.toContain(String.fromCharCode(27))
      expect(messages.slice(1)).toEqual([
        [
          'debian-12/zfs/ctr/kubespray',
          expect.stringMatching(/^not run: the VM probe-debian-12 stopped: its qemu/)
        ],
        [
          'debian-12/native/ctr/kubespray',
          expect.stringMatching(/^not run: the VM probe-debian-12 stopped: its qemu/)
        ]
      ])
      // No message is a raw ssh command line.
      expect(messages.filter(([, m]) => /ssh -i /.test(m!))).toEqual([])
      // The cell timeout, the 10 s health check and the VM's stop: not a minute more per cell.
      expect(Date.now() - stoppedAt).toBeLessThan(120_000)
      expect(stderr).toMatch(
        /warning: probe on debian-12: the VM probe-debian-12 stopped: .*: its remaining cells end now/
      )
      expect(code).toBe(1)
      expect(qemuProcesses(tmp)).toEqual([])
      expect(readdirSync(tmp)).toEqual([])
      console.log(`stopped-guest run: ${Math.round((Date.now() - started) / 1000)} s`)
    },
    15 * 60_000
  )
})
