import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from '@jest/globals'
import { cmd } from '../../src/exec/command.js'
import { dieWithParent } from '../../src/exec/die-with-parent.js'
import { processExecutor } from '../../src/exec/executor.js'

const SETPRIV = '/usr/bin/setpriv'

describe('dieWithParent', () => {
  it('starts the program through setpriv with the parent-death signal, and leaves it alone otherwise', () => {
    expect(dieWithParent(cmd('sh', '-c', 'true'), SETPRIV)).toEqual({
      ...cmd('sh', '-c', 'true'),
      program: SETPRIV,
      args: ['--pdeathsig', 'SIGKILL', '--', 'sh', '-c', 'true']
    })
    expect(dieWithParent(cmd('sh'), null)).toEqual(cmd('sh'))
    // A missing program keeps its own ENOENT, which callers read as "not installed".
    expect(dieWithParent(cmd('zjm-no-such-program'), SETPRIV)).toEqual(cmd('zjm-no-such-program'))
  })

  it('a missing program still fails as before through the executor: 127 and ENOENT', async () => {
    const r = await processExecutor.run(cmd('zjm-no-such-program'))
    expect(r.exitCode).toBe(127)
    expect(r.stderr).toContain('ENOENT')
  })

  // A real parent killed with SIGKILL: its child, started through the executor, goes with it.
  ;(existsSync(SETPRIV) ? it : it.skip)(
    'a command the executor started dies when its parent is SIGKILLed',
    async () => {
      const script = [
        "import { processExecutor } from './src/exec/executor.ts'",
        "import { cmd } from './src/exec/command.ts'",
        "void processExecutor.run(cmd('sleep', '300'))",
        'setInterval(() => undefined, 1000)'
      ].join('\n')
      const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        stdio: 'ignore'
      })
      const childOf = (pid: number): number | undefined => {
        for (let i = 0; i < 100; i++) {
          const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim()
          if (kids !== '') return Number(kids.split(' ')[0])
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100)
        }
        return undefined
      }
      const sleeper = childOf(parent.pid!)
      expect(sleeper).toBeDefined()
      expect(readFileSync(`/proc/${sleeper}/cmdline`, 'utf8').split('\0')[0]).toBe('sleep')
      parent.kill('SIGKILL')
      await new Promise(r => parent.once('exit', r))
      for (let i = 0; i < 50 && existsSync(`/proc/${sleeper}`); i++)
        await new Promise(r => setTimeout(r, 100))
      expect(existsSync(`/proc/${sleeper}`)).toBe(false)
    },
    30_000
  )
})
