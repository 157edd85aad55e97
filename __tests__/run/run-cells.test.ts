import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { parseConfig } from '../../src/inputs/parse.js'
import type { Tier } from '../../src/plan/axes.js'
import { parseCellId, type Cell } from '../../src/plan/cell.js'
import { ResultsJournal, readJournal } from '../../src/results/results-store.js'
import { runAttempts } from '../../src/run/attempts.js'
import { runCells } from '../../src/run/run-cells.js'
import { unavailable } from '../../src/scenarios/registry.js'
import type { Attempt, Scenario, ScenarioSession, Verdict } from '../../src/scenarios/scenario.js'
import { tempDir } from '../helpers.js'
import { recordingLog } from '../fakes.js'

const OVERLAY_EINVAL = 'ctr: failed to mount /tmp/containerd-mount2837482: invalid argument'

/** A session answering from a script of verdicts, one per call, recording what it was asked. */
function scriptedSession(verdicts: Verdict[], calls: string[] = []): ScenarioSession & { closed: boolean } {
  const session = {
    closed: false,
    run: (cell: Cell): Promise<Attempt> => {
      calls.push(cell.id)
      const verdict = verdicts.shift() ?? { kind: 'pass' }
      return Promise.resolve({
        verdict,
        versions: { kernel: '6.1.0-50-cloud-amd64', openzfs: '2.1.11' },
        logs: []
      })
    },
    close: () => {
      session.closed = true
      return Promise.resolve()
    }
  }
  return session
}

const cell = parseCellId('debian-12/overlayfs/ctr/kubespray')!
const never = new AbortController().signal
const dirs = () => tempDir()

describe('runAttempts', () => {
  it('diagnoses a failure into a signature with the matching lines', async () => {
    const session = scriptedSession([
      {
        kind: 'fail',
        message: 'container did not start',
        evidence: [{ source: 'ctr', text: OVERLAY_EINVAL }]
      }
    ])
    const run = await runAttempts(session, cell, { retries: 0, timeoutMs: 5000, signal: never }, dirs)
    expect(run.outcome).toEqual({
      status: 'fail',
      signature: 'overlayfs-mount-einval',
      message: 'container did not start',
      excerpt: `ctr: ${OVERLAY_EINVAL}`
    })
    expect(run.attempts).toBe(1)
  })

  it('a pass after a failed attempt is flaky, not pass', async () => {
    const session = scriptedSession([
      { kind: 'fail', message: 'x', evidence: [{ source: 'ctr', text: OVERLAY_EINVAL }] },
      { kind: 'pass' }
    ])
    const run = await runAttempts(session, cell, { retries: 2, timeoutMs: 5000, signal: never }, dirs)
    expect(run.outcome).toEqual({ status: 'flaky', failedAttempts: 1, signature: 'overlayfs-mount-einval' })
    expect(run.attempts).toBe(2)
  })

  it('stops retrying when attempts run out and keeps the last failure', async () => {
    const session = scriptedSession([
      { kind: 'error', message: 'ssh lost', evidence: [] },
      { kind: 'error', message: 'ssh lost again', evidence: [] }
    ])
    const run = await runAttempts(session, cell, { retries: 1, timeoutMs: 5000, signal: never }, dirs)
    expect(run.outcome).toEqual({ status: 'error', message: 'ssh lost again' })
    expect(run.attempts).toBe(2)
  })

  it('times out a hung attempt, aborts its signal and reports an error', async () => {
    let seen: AbortSignal | undefined
    const hung: ScenarioSession = {
      run: (_c, attempt) => {
        seen = attempt.signal
        return new Promise(() => undefined)
      },
      close: () => Promise.resolve()
    }
    const run = await runAttempts(hung, cell, { retries: 0, timeoutMs: 50, signal: never }, dirs)
    expect(run.outcome).toEqual({ status: 'error', message: 'timed out after 0.05s (cell-timeout)' })
    expect(seen?.aborted).toBe(true)
  })

  it('a crashing scenario is an error, not a crash of the run', async () => {
    const crashing: ScenarioSession = {
      run: () => Promise.reject(new Error('bug')),
      close: () => Promise.resolve()
    }
    const run = await runAttempts(crashing, cell, { retries: 0, timeoutMs: 5000, signal: never }, dirs)
    expect(run.outcome).toEqual({ status: 'error', message: 'the scenario crashed: bug' })
  })
})

describe('runCells', () => {
  function setup(raw: Parameters<typeof parseConfig>[0]) {
    const cwd = tempDir()
    const config = parseConfig(raw, { cwd })
    const journal = new ResultsJournal(join(config.outputDir, 'results.jsonl'))
    return { config, journal, log: recordingLog(), workDir: cwd }
  }

  it('opens one session per image and tier, runs its cells in order, closes it, and journals every cell', async () => {
    const { config, journal, log, workDir } = setup({
      images: 'debian-11, debian-12',
      tools: 'ctr',
      tiers: 'probe'
    })
    const calls: string[] = []
    const sessions: ReturnType<typeof scriptedSession>[] = []
    const probe: Scenario = {
      tier: 'probe',
      open: () => {
        const s = scriptedSession([], calls)
        sessions.push(s)
        return Promise.resolve({ kind: 'ready', session: s })
      }
    }
    const results = await runCells(
      [
        ...['debian-11', 'debian-12'].flatMap(i =>
          ['kubespray', 'fixed'].flatMap(v =>
            ['overlayfs', 'zfs', 'native'].map(s => parseCellId(`${i}/${s}/ctr/${v}`)!)
          )
        )
      ],
      { config, scenarioFor: () => probe, log, journal, signal: never, workDir }
    )
    // Both variants of an image share its session (one VM).
    expect(sessions).toHaveLength(2)
    expect(results).toHaveLength(12)
    expect(results.map(r => `${r.image} ${r.variant}`)).toEqual(
      ['debian-11', 'debian-12'].flatMap(i =>
        ['kubespray', 'fixed'].flatMap(v => [1, 2, 3].map(() => `${i} ${v}`))
      )
    )
    expect(sessions.every(s => s.closed)).toBe(true)
    expect(calls).toEqual(results.map(r => r.id))
    expect(results.every(r => r.status === 'pass' && r.tier === 'probe')).toBe(true)
    expect(results[0]!.versions).toEqual({ kernel: '6.1.0-50-cloud-amd64', openzfs: '2.1.11' })
    expect(readJournal(journal.path).map(r => r.id)).toEqual(results.map(r => r.id))
    expect(log.lines[0]).toMatch(
      /^info: \[1\/12\] probe debian-11\/overlayfs\/ctr\/kubespray … pass \d+\.\ds$/
    )
    expect(log.lines[3]).toMatch(/^info: \[4\/12\] probe debian-11\/overlayfs\/ctr\/fixed … pass \d+\.\ds$/)
  })

  it('a cell the log calls done is already in results.jsonl: the journal is written before the line', async () => {
    const { config, journal, workDir } = setup({ images: 'debian-12', tools: 'ctr', tiers: 'probe' })
    // At each progress line, the cells the journal holds then (what a SIGKILL right after would keep).
    const heldAtLine: string[][] = []
    const log = recordingLog()
    const info = log.info.bind(log)
    log.info = (line: string) => {
      if (/^\[\d+\/\d+\] probe /.test(line))
        heldAtLine.push(existsSync(journal.path) ? readJournal(journal.path).map(r => r.id) : [])
      info(line)
    }
    const probe: Scenario = {
      tier: 'probe',
      open: () => Promise.resolve({ kind: 'ready', session: scriptedSession([], []) })
    }
    const cells = ['zfs', 'native'].map(s => parseCellId(`debian-12/${s}/ctr/kubespray`)!)
    await runCells(cells, { config, scenarioFor: () => probe, log, journal, signal: never, workDir })
    expect(heldAtLine).toEqual([[cells[0]!.id], [cells[0]!.id, cells[1]!.id]])
  })

  it('an unavailable tier skips its cells with the reason; a failing open is an error for each cell', async () => {
    const { config, journal, log, workDir } = setup({
      images: 'debian-12',
      tools: 'ctr',
      tiers: 'lint, probe'
    })
    const scenarioFor = (tier: Tier): Scenario =>
      tier === 'lint'
        ? unavailable('lint', 'no kubespray checkout')
        : { tier, open: () => Promise.reject(new Error('qemu not found')) }
    const results = await runCells([cell], { config, scenarioFor, log, journal, signal: never, workDir })
    expect(results[0]).toMatchObject({
      status: 'error',
      tier: 'probe',
      message: 'could not prepare debian-12 for probe: qemu not found'
    })
    expect(results[0]!.tiers.map(t => t.status)).toEqual(['skipped', 'error'])
  })

  it('prints a skip reason once, then one line per reason with the count and the cells', async () => {
    const { config, journal, log, workDir } = setup({
      images: 'debian-11, debian-12',
      tools: 'ctr',
      tiers: 'lint, probe'
    })
    const scenarioFor = (tier: Tier): Scenario =>
      tier === 'lint'
        ? unavailable('lint', 'no kubespray checkout (set kubespray-path)')
        : unavailable('probe', 'qemu-system-x86_64 is not installed')
    const cells = ['debian-11', 'debian-12'].flatMap(i =>
      ['overlayfs', 'zfs', 'native'].map(s => parseCellId(`${i}/${s}/ctr/kubespray`)!)
    )
    const results = await runCells(cells, { config, scenarioFor, log, journal, signal: never, workDir })
    expect(results.every(r => r.status === 'skipped')).toBe(true)
    expect(log.lines).toEqual([
      expect.stringMatching(
        /^info: \[1\/12\] lint debian-11\/overlayfs\/ctr\/kubespray … skipped 0\.\ds \(no kubespray checkout \(set kubespray-path\)\)$/
      ),
      expect.stringMatching(
        /^info: \[4\/12\] probe debian-11\/overlayfs\/ctr\/kubespray … skipped .*is not installed\)$/
      ),
      'info: lint skipped 6 cells (*): no kubespray checkout (set kubespray-path)',
      'info: probe skipped 6 cells (*): qemu-system-x86_64 is not installed'
    ])
  })

  /** A probe whose `n`th cell is cut short by a cancel while it runs; it ends as the harness error a
   * killed ssh gives. */
  function cancelledAt(n: number, controller: AbortController) {
    const session = scriptedSession([])
    let calls = 0
    const cancelling: ScenarioSession = {
      run: (c, a) => {
        if (++calls < n) return session.run(c, a)
        controller.abort()
        return Promise.resolve({
          verdict: { kind: 'error', message: 'containerd did not start: (no output)', evidence: [] },
          versions: {},
          logs: []
        })
      },
      close: () => session.close()
    }
    const probe: Scenario = {
      tier: 'probe',
      open: () => Promise.resolve({ kind: 'ready', session: cancelling })
    }
    return { probe, session }
  }
  const threeCells = ['overlayfs', 'zfs', 'native'].map(s => parseCellId(`debian-12/${s}/ctr/kubespray`)!)
  /** The three cells through one probe scenario, never cancelled. */
  const runThree = (
    probe: Scenario,
    deps: Pick<Parameters<typeof runCells>[1], 'config' | 'log' | 'journal' | 'workDir'>
  ) => runCells(threeCells, { ...deps, scenarioFor: () => probe, signal: never })

  it('on cancel it stops starting cells, closes the session, keeps what finished and drops the cell it cut', async () => {
    const { config, journal, log, workDir } = setup({ images: 'debian-12', tools: 'ctr', tiers: 'probe' })
    const controller = new AbortController()
    const { probe, session } = cancelledAt(2, controller)
    const results = await runCells(threeCells, {
      config,
      scenarioFor: () => probe,
      log,
      journal,
      signal: controller.signal,
      workDir
    })
    // The second cell's "error" was the cancel's doing: it is not run, like the third.
    expect(results.map(r => [r.id, r.status])).toEqual([['debian-12/overlayfs/ctr/kubespray', 'pass']])
    expect(session.closed).toBe(true)
    expect(readFileSync(journal.path, 'utf8').trim().split('\n')).toHaveLength(1)
    expect(log.lines).toContain('warning: Cancelled: 2 of 3 cells not run (the report shows them as not run)')
  })

  it('after a cancel, a cell the deeper tier never reached is not run, whatever the shallower tier said', async () => {
    const { config, journal, log, workDir } = setup({
      images: 'debian-12',
      tools: 'ctr',
      tiers: 'lint, probe'
    })
    const controller = new AbortController()
    const { probe } = cancelledAt(2, controller)
    const lint: Scenario = {
      tier: 'lint',
      open: () => Promise.resolve({ kind: 'ready', session: scriptedSession([]) })
    }
    const results = await runCells(threeCells, {
      config,
      scenarioFor: tier => (tier === 'lint' ? lint : probe),
      log,
      journal,
      signal: controller.signal,
      workDir
    })
    expect(results.map(r => [r.id, r.tiers.map(t => t.tier)])).toEqual([
      ['debian-12/overlayfs/ctr/kubespray', ['lint', 'probe']]
    ])
  })

  it("a cell whose error is a dead VM says so, and ends the session's remaining cells at once naming it", async () => {
    const { config, journal, log, workDir } = setup({ images: 'debian-12', tools: 'ctr', tiers: 'probe' })
    const calls: string[] = []
    const session = scriptedSession(
      [{ kind: 'error', message: 'timed out after 60s (cell-timeout)', evidence: [] }],
      calls
    )
    const dead =
      "the VM probe-debian-12 stopped: its qemu (pid 7) is stopped (state T); serial console's last lines:\n[ 1.0] x"
    let asked = 0
    const probe: Scenario = {
      tier: 'probe',
      open: () =>
        Promise.resolve({
          kind: 'ready',
          session: { ...session, health: () => (asked++, Promise.resolve(dead)) }
        })
    }
    const results = await runThree(probe, { config, log, journal, workDir })
    expect(calls).toEqual(['debian-12/overlayfs/ctr/kubespray'])
    expect(asked).toBe(1)
    expect(results.map(r => [r.status, r.status === 'error' ? r.message : ''])).toEqual([
      ['error', `timed out after 60s (cell-timeout); ${dead}`],
      ['error', 'not run: the VM probe-debian-12 stopped: its qemu (pid 7) is stopped (state T)'],
      ['error', 'not run: the VM probe-debian-12 stopped: its qemu (pid 7) is stopped (state T)']
    ])
    expect(log.lines).toContain(
      'warning: probe on debian-12: the VM probe-debian-12 stopped: its qemu (pid 7) is stopped (state T): its remaining cells end now'
    )
  })

  it('a healthy session after an error goes on with its cells', async () => {
    const { config, journal, log, workDir } = setup({ images: 'debian-12', tools: 'ctr', tiers: 'probe' })
    const calls: string[] = []
    const session = scriptedSession([{ kind: 'error', message: 'registry down', evidence: [] }], calls)
    const probe: Scenario = {
      tier: 'probe',
      open: () =>
        Promise.resolve({ kind: 'ready', session: { ...session, health: () => Promise.resolve(null) } })
    }
    const results = await runThree(probe, { config, log, journal, workDir })
    expect(calls).toHaveLength(3)
    expect(results.map(r => r.status)).toEqual(['error', 'pass', 'pass'])
  })

  it('writes each attempt its own log directory under the output dir', async () => {
    const { config, journal, log, workDir } = setup({
      images: 'debian-12',
      tools: 'ctr',
      tiers: 'probe',
      retries: '1'
    })
    const dirsSeen: string[] = []
    const session: ScenarioSession = {
      run: (_c, a) => {
        dirsSeen.push(a.logDir)
        return Promise.resolve({
          verdict: { kind: 'error', message: 'x', evidence: [] },
          versions: {},
          logs: [join(a.logDir, 'serial.log')]
        })
      },
      close: () => Promise.resolve()
    }
    const probe: Scenario = { tier: 'probe', open: () => Promise.resolve({ kind: 'ready', session }) }
    const fixed = parseCellId('debian-12/overlayfs/ctr/fixed')!
    const [result, fixedResult] = await runCells([cell, fixed], {
      config,
      scenarioFor: () => probe,
      log,
      journal,
      signal: never,
      workDir
    })
    expect(dirsSeen.map(d => d.slice(config.outputDir.length))).toEqual([
      '/logs/debian-12/overlayfs/ctr/kubespray/probe/attempt-1',
      '/logs/debian-12/overlayfs/ctr/kubespray/probe/attempt-2',
      '/logs/debian-12/overlayfs/ctr/fixed/probe/attempt-1',
      '/logs/debian-12/overlayfs/ctr/fixed/probe/attempt-2'
    ])
    expect(dirsSeen.every(d => existsSync(d))).toBe(true)
    expect(result!.logs).toEqual([
      'logs/debian-12/overlayfs/ctr/kubespray/probe/attempt-1/serial.log',
      'logs/debian-12/overlayfs/ctr/kubespray/probe/attempt-2/serial.log'
    ])
    expect(fixedResult!.logs).toEqual([
      'logs/debian-12/overlayfs/ctr/fixed/probe/attempt-1/serial.log',
      'logs/debian-12/overlayfs/ctr/fixed/probe/attempt-2/serial.log'
    ])
  })
})
