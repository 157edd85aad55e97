import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { CleanupLedger, sweep } from '../../src/cleanup/ledger.js'
import { withRunScope } from '../../src/cleanup/run-scope.js'
import { consoleLog } from '../../src/log/log.js'
import { tempDir } from '../helpers.js'

const quiet = consoleLog({ write: () => true } as unknown as NodeJS.WritableStream)

describe('cleanup ledger', () => {
  it('sweeps what a dead run left and empties itself', () => {
    const root = tempDir()
    const left = join(root, 'left-behind')
    mkdirSync(left)
    writeFileSync(join(left, 'disk.qcow2'), 'x')
    const ledger = new CleanupLedger(join(root, 'ledger.json'))
    ledger.add({ kind: 'dir', path: left })
    expect(sweep(new CleanupLedger(ledger.path), quiet)).toBe(1)
    expect(existsSync(left)).toBe(false)
    expect(existsSync(ledger.path)).toBe(false)
  })

  it('the run scope removes its work dir on success and on failure, and listens to no signal afterwards', async () => {
    const root = tempDir()
    const ledger = new CleanupLedger(join(root, 'ledger.json'))
    const before = process.listenerCount('SIGTERM')
    let seen = ''
    await withRunScope(root, ledger, quiet, ({ workDir }) => {
      seen = workDir
      expect(ledger.read()).toEqual([{ kind: 'dir', path: workDir }])
      return Promise.resolve()
    })
    expect(existsSync(seen)).toBe(false)
    await expect(
      withRunScope(root, ledger, quiet, ({ workDir }) => {
        seen = workDir
        return Promise.reject(new Error('boom'))
      })
    ).rejects.toThrow('boom')
    expect(existsSync(seen)).toBe(false)
    expect(readdirSync(root)).toEqual([])
    expect(process.listenerCount('SIGTERM')).toBe(before)
  })
})
