import { execFileSync } from 'node:child_process'
import { describe, expect, it } from '@jest/globals'
import { cmd, shellLine, shellQuote } from '../../src/exec/command.js'
import { CommandError, check, processExecutor as exec } from '../../src/exec/executor.js'

const sh = (script: string) => cmd('sh', '-c', script)

describe('processExecutor (real processes)', () => {
  it('keeps stdout, stderr and the exit code', async () => {
    const r = await exec.run(sh('echo out; echo err >&2; exit 3'))
    expect([r.exitCode, r.stdout, r.stderr, r.killedBy]).toEqual([3, 'out\n', 'err\n', null])
  })

  it('check() throws an error that carries the command and its stderr', async () => {
    const failing = sh('echo "zpool: no such pool" >&2; exit 1')
    await expect(check(exec, failing)).rejects.toThrow(
      new CommandError({
        command: failing,
        exitCode: 1,
        killedBy: null,
        stdout: '',
        stderr: 'zpool: no such pool\n',
        durationMs: 0
      }).message
    )
    await expect(check(exec, failing)).rejects.toThrow(/exit code 1:\nzpool: no such pool/)
  })

  it('a failure whose stderr says too little is described with the end of its stdout too', async () => {
    const apt = sh(
      'seq 1 20 | sed "s/^/line /"; echo "dpkg: error processing package dbus (--configure)"; echo "E: Sub-process /usr/bin/dpkg returned an error code (1)" >&2; exit 100'
    )
    const message = (await check(exec, apt).catch((e: Error) => e)) as Error
    expect(message.message.split('\n').slice(1)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `line ${i + 11}`),
      'dpkg: error processing package dbus (--configure)',
      'E: Sub-process /usr/bin/dpkg returned an error code (1)'
    ])
    // A stderr that explains itself is enough on its own.
    const verbose = sh('echo noise; for i in 1 2 3 4; do echo "err $i" >&2; done; exit 1')
    await expect(check(exec, verbose)).rejects.toThrow(/exit code 1:\nerr 1\nerr 2\nerr 3\nerr 4$/)
  })

  it('a missing program is a failed result, not an exception', async () => {
    const r = await exec.run(cmd('zjm-no-such-program'))
    expect(r.exitCode).toBe(127)
    expect(r.stderr).toContain('ENOENT')
  })

  it('feeds input on stdin', async () => {
    expect((await exec.run({ ...cmd('tr', 'a-z', 'A-Z'), input: 'zfs\n' })).stdout).toBe('ZFS\n')
  })

  it('a timeout kills the whole process group, children included', async () => {
    const r = await exec.run(sh('sleep 30 & echo $! > /dev/stderr; wait'), { timeoutMs: 300 })
    expect(r.killedBy).toBe('timeout')
    expect(r.durationMs).toBeLessThan(10_000)
    const child = Number(r.stderr.trim())
    await new Promise(res => setTimeout(res, 200))
    expect(() => process.kill(child, 0)).toThrow()
  })

  it('an abort signal kills the command', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    const r = await exec.run(cmd('sleep', '30'), { signal: controller.signal })
    expect(r.killedBy).toBe('abort')
    expect(r.exitCode).toBeNull()
  })

  it('streams output as it comes', async () => {
    const chunks: string[] = []
    await exec.run(sh('echo one; echo two >&2'), { onOutput: (c, s) => chunks.push(`${s}:${c}`) })
    expect(chunks.sort()).toEqual(['stderr:two\n', 'stdout:one\n'])
  })
})

describe('shell quoting', () => {
  it.each(['plain', 'with space', "it's", '$(rm -rf /)', '', 'a"b', 'tab\there', '--opt=1'])(
    '%j survives a round trip through sh',
    word => {
      expect(execFileSync('sh', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' })).toBe(word)
    }
  )

  it('renders a command line', () => {
    expect(shellLine(cmd('zfs', 'create', '-o', 'mountpoint=/var/lib/containerd', 'zjm pool/x'))).toBe(
      "zfs create -o mountpoint=/var/lib/containerd 'zjm pool/x'"
    )
  })
})
