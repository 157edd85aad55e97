import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { tempDir } from '../helpers.js'

const script = join(import.meta.dirname, 'slow-stop.ts')

/** Starts slow-stop.ts, waits for its helper, and gives the test what it needs to signal and watch it. */
async function start(stopSeconds: number) {
  const root = tempDir()
  const child = spawn(process.execPath, ['--import', 'tsx', script, root, String(stopSeconds)], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout.on('data', (b: Buffer) => (out += b.toString()))
  child.stderr.on('data', (b: Buffer) => (out += b.toString()))
  const exited = new Promise<{ code: number | null; at: number }>(resolve =>
    child.once('exit', code => resolve({ code, at: Date.now() }))
  )
  for (let i = 0; i < 300 && !/^READY /m.test(out); i++) await new Promise(r => setTimeout(r, 100))
  const [, ledger, pid] = /^READY (\S+) (\d+)$/m.exec(out) ?? []
  if (ledger === undefined) throw new Error(`slow-stop did not start:\n${out}`)
  return { child, exited, ledger, helper: Number(pid), output: () => out }
}

const alive = (pid: number) =>
  existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')

describe('a signalled run stops in bounded time', () => {
  it('a stop that finishes in time ends as usual, its ledger emptied', async () => {
    const run = await start(1)
    run.child.kill('SIGTERM')
    const { code } = await run.exited
    expect(code).toBe(0)
    expect(run.output()).toContain('STOPPED')
    // An emptied ledger is removed.
    expect(existsSync(run.ledger)).toBe(false)
  }, 30_000)

  it('10 s after SIGTERM a stop still going exits 143, kills the listed processes, leaves the ledger', async () => {
    const run = await start(60)
    const sent = Date.now()
    run.child.kill('SIGTERM')
    const { code, at } = await run.exited
    expect(code).toBe(143)
    expect(at - sent).toBeGreaterThanOrEqual(9_500)
    expect(at - sent).toBeLessThan(12_000)
    expect(run.output()).toMatch(
      /error: still stopping 10 s after SIGTERM: exiting now; \S+ lists what is left/
    )
    expect(run.output()).not.toContain('STOPPED')
    expect(alive(run.helper)).toBe(false)
    // The work dir is still listed, for the post step or the next run's sweep.
    expect(JSON.parse(readFileSync(run.ledger, 'utf8'))).toEqual([expect.objectContaining({ kind: 'dir' })])
  }, 30_000)

  it('a second signal exits at once (130 for SIGINT)', async () => {
    const run = await start(60)
    run.child.kill('SIGINT')
    await new Promise(r => setTimeout(r, 500))
    const sent = Date.now()
    run.child.kill('SIGINT')
    const { code, at } = await run.exited
    expect(code).toBe(130)
    expect(at - sent).toBeLessThan(2_000)
    expect(run.output()).toContain('error: SIGINT received again: exiting now;')
    expect(alive(run.helper)).toBe(false)
  }, 30_000)
})
