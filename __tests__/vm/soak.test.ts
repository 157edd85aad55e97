/**
 * The soak: one image's probe cells run five times back to back on the same image cache and TMPDIR, the
 * second and fourth runs killed with SIGKILL in the middle of a cell. After each run: no process of it
 * is left, no port it listened on is open, no mount or loop device was added, the image cache holds the
 * same files; the TMPDIR is empty after every run that ended (a killed run's dir is the next run's to
 * sweep, as the CLI does at its start); every cell a killed run reported done is in its results.jsonl,
 * and the verdicts are the same in every run.
 *
 * The cells are debian-12's whole probe matrix: every snapshotter, tool and variant (18 cells; where
 * nerdctl cannot be downloaded, as offline, its six are skipped, and skipped the same way every run).
 * The bench runs the whole default matrix twice for flips.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { readJournal } from '../../src/results/results-store.js'
import { tempDir } from '../helpers.js'
import { portClosesWithin, processesGoneWithin, qemuProcesses, sshPort } from './processes.js'
import { cliRunArgs } from './run-cli.js'
import { IMAGE_CACHE, vmTestsEnabled } from './vm-env.js'

const describeVm = vmTestsEnabled() ? describe : describe.skip
const MINUTE = 60_000
const RUNS = 5
const CELLS = 18
/** A killed run is killed in the middle of the matrix: into the cell after this many were reported. */
const KILL_AFTER = CELLS / 2
const FLAGS = ['--tiers', 'probe', '--images', 'debian-12']

interface RunEnd {
  readonly killed: boolean
  readonly stderr: string
  readonly ports: readonly number[]
}

/** One CLI run; with `killAfter`, SIGKILLed a moment after that many cells were reported done. */
async function runOnce(tmp: string, out: string, killAfter?: number): Promise<RunEnd> {
  const child = spawn(process.execPath, cliRunArgs(FLAGS, out), {
    env: { ...process.env, TMPDIR: tmp },
    stdio: ['ignore', 'ignore', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
  const exited = new Promise<number | null>(r => child.once('exit', code => r(code)))
  const ports = new Set<number>()
  let ended = false
  void exited.then(() => (ended = true))
  let killed = false
  while (!ended) {
    for (const vm of qemuProcesses(tmp)) {
      try {
        ports.add(sshPort(vm))
      } catch {
        // gone between the listing and the read
      }
    }
    if (!killed && killAfter !== undefined && reported(stderr).length >= killAfter) {
      // Into the next cell: its reset or its containerd start.
      await new Promise(r => setTimeout(r, 1500))
      child.kill('SIGKILL')
      killed = true
    }
    await new Promise(r => setTimeout(r, 250))
  }
  const code = await exited
  if (!killed && code !== 0)
    throw new Error(`run exited ${code}:\n${stderr.split('\n').slice(-30).join('\n')}`)
  return { killed, stderr, ports: [...ports] }
}

/** The cells the run's log called done, with their status: `[2/4] probe <cell> … pass 9.1s`. */
function reported(stderr: string): [string, string][] {
  return [...stderr.matchAll(/^\[\d+\/\d+\] probe (\S+) … (\w+) /gm)].map(m => [m[1]!, m[2]!])
}

/** The files under `dir`, with their sizes: what a run may not add to the image cache. */
function listing(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      const st = lstatSync(p)
      if (st.isDirectory()) walk(p)
      else out.push(`${p.slice(dir.length)} ${st.size}`)
    }
  }
  walk(dir)
  return out
}

const mountsOf = (tmp: string): string[] =>
  readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter(l => l.includes(tmp) || l.includes('zfs-join-matrix'))
const loopDevices = (): string => spawnSync('losetup', ['-a'], { encoding: 'utf8' }).stdout

describeVm('soak: five runs of one image, every second one killed', () => {
  it(
    'leaves nothing behind after any run, keeps every finished cell of a killed run, and gives the same verdicts',
    async () => {
      const dir = tempDir()
      const tmp = join(dir, 'tmp')
      mkdirSync(tmp)
      // The cache is listed after the first run: a first use may build the image or keep the CRI's
      // protos there; after that, no run may add to it.
      let cacheAfterFirst: string[] | undefined
      const loopsBefore = loopDevices()
      const verdicts: Map<string, string>[] = []
      for (let run = 1; run <= RUNS; run++) {
        const out = join(dir, `out-${run}`)
        const kill = run % 2 === 0
        const end = await runOnce(tmp, out, kill ? KILL_AFTER : undefined)
        expect(end.killed).toBe(kill)
        // Processes go with the CLI (qemu on its parent's death, ssh with qemu).
        expect(await processesGoneWithin(tmp, 5000)).toEqual([])
        expect(end.ports.length).toBeGreaterThan(0)
        for (const port of end.ports) expect(await portClosesWithin(port, 5000)).toBe(true)
        expect(mountsOf(tmp)).toEqual([])
        expect(loopDevices()).toBe(loopsBefore)
        cacheAfterFirst ??= listing(IMAGE_CACHE)
        expect(listing(IMAGE_CACHE)).toEqual(cacheAfterFirst)

        const journal = readJournal(join(out, 'results.jsonl'))
        const byId = new Map<string, string>(journal.map(c => [c.id, c.status]))
        const verdict = new Map(
          journal.map(c => [c.id, c.status === 'fail' ? `fail ${c.signature}` : c.status])
        )
        // The log prints a skip whose reason it already printed once, at the end, as a group.
        const told = reported(end.stderr)
        // Every cell the log called done is in the journal, with that status.
        for (const [id, status] of told) expect(byId.get(id)).toBe(status)
        if (kill) {
          // The run was cut in the middle of the matrix.
          expect(told.length).toBeGreaterThanOrEqual(KILL_AFTER)
          expect(journal.length).toBeLessThan(CELLS)
          // The dead run's dir and ledger stay until the next run sweeps them.
          expect(readdirSync(tmp).length).toBeGreaterThan(0)
        } else {
          expect(existsSync(join(out, 'results.json'))).toBe(true)
          expect(journal).toHaveLength(CELLS)
          const toldIds = new Set(told.map(([id]) => id))
          expect(journal.filter(c => c.status !== 'skipped' && !toldIds.has(c.id))).toEqual([])
          // The run swept what a killed run before it left, and removed its own.
          expect(readdirSync(tmp)).toEqual([])
        }
        verdicts.push(verdict)
      }
      // The same verdict for each cell in every run that reached it: no flips.
      const full = verdicts[0]!
      expect(full.size).toBe(CELLS)
      for (const v of verdicts) for (const [id, status] of v) expect([id, status]).toEqual([id, full.get(id)])
    },
    40 * MINUTE
  )
})
