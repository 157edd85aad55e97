import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { withDirLock } from '../../src/host/dir-lock.js'
import { recordingLog } from '../fakes.js'
import { tempDir } from '../helpers.js'

const never = new AbortController().signal

describe('withDirLock', () => {
  it('a second holder waits for the first, then runs; the lock is gone after both', async () => {
    const lock = join(tempDir(), 'image.lock')
    const log = recordingLog()
    const order: string[] = []
    let release!: () => void
    const first = withDirLock(
      lock,
      'waiting',
      async () => {
        order.push('first in')
        await new Promise<void>(r => (release = r))
        order.push('first out')
      },
      { log, signal: never }
    )
    await new Promise(r => setTimeout(r, 50))
    const second = withDirLock(lock, 'waiting for the first', () => Promise.resolve(order.push('second')), {
      log,
      signal: never
    })
    await new Promise(r => setTimeout(r, 100))
    expect(order).toEqual(['first in'])
    release()
    await Promise.all([first, second])
    expect(order).toEqual(['first in', 'first out', 'second'])
    expect(log.lines).toEqual([
      expect.stringMatching(new RegExp(`waiting for the first \\(pid ${process.pid}\\)`))
    ])
    expect(existsSync(lock)).toBe(false)
  })

  it('takes over a lock whose holder died, and gives up waiting when the run is cancelled', async () => {
    const dir = tempDir()
    const dead = spawn('true')
    await new Promise(r => dead.on('close', r))
    const stale = join(dir, 'stale.lock')
    mkdirSync(stale)
    writeFileSync(join(stale, 'pid'), String(dead.pid))
    await expect(
      withDirLock(stale, 'w', () => Promise.resolve('ran'), { log: recordingLog(), signal: never })
    ).resolves.toBe('ran')

    const held = join(dir, 'held.lock')
    mkdirSync(held)
    writeFileSync(join(held, 'pid'), String(process.pid))
    const cancel = new AbortController()
    const waiting = withDirLock(held, 'w', () => Promise.resolve('ran'), {
      log: recordingLog(),
      signal: cancel.signal
    })
    cancel.abort()
    await expect(waiting).rejects.toThrow()
    expect(existsSync(held)).toBe(true)
  })

  it('takes over a lock still without a pid after a poll (its holder died before writing it)', async () => {
    const lock = join(tempDir(), 'pidless.lock')
    mkdirSync(lock)
    await expect(
      withDirLock(lock, 'w', () => Promise.resolve('ran'), { log: recordingLog(), signal: never })
    ).resolves.toBe('ran')
  })
})
