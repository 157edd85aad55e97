/** The inspection script run for real by a local POSIX shell, and its framing read back. */
import { describe, expect, it } from '@jest/globals'
import { cmd } from '../../src/exec/command.js'
import { processExecutor } from '../../src/exec/executor.js'
import {
  CHECKS,
  CHECK_IDS,
  describeChecks,
  inspectionScript,
  splitOutputs
} from '../../src/doctor/inspection.js'

describe('inspection script', () => {
  it('runs every check in one shell and frames each output with its exit status', async () => {
    const { script, nonce } = inspectionScript()
    const r = await processExecutor.run({ ...cmd('sh', '-s'), input: script }, { timeoutMs: 120_000 })
    expect(r.exitCode).toBe(0)
    const outputs = splitOutputs(r.stdout, nonce)
    expect([...outputs.keys()]).toEqual([...CHECK_IDS])
    // This machine's own kernel: the output is the command's, without the frame's line breaks.
    expect(outputs.get('kernel')).toEqual({ output: expect.stringMatching(/^\d+\.\d+\S*$/), exitCode: 0 })
    // A file that is absent is a failed check with cat's words, not an empty file.
    const nerdctl = outputs.get('nerdctl-config')!
    if (nerdctl.exitCode !== 0) expect(nerdctl.output).toMatch(/No such file/)
  })

  it('a node cannot forge a frame: markers without the nonce are output, an unfinished check is absent', () => {
    const nonce = 'abc123'
    const stdout = [
      '@@zjm-abc123 begin kernel',
      '@@zjm-other end kernel 0',
      '6.1.0-1-amd64',
      '',
      '@@zjm-abc123 end kernel 0',
      '@@zjm-abc123 begin zfs-module',
      '2.1.11-1'
    ].join('\n')
    const outputs = splitOutputs(stdout, nonce)
    expect(outputs.get('kernel')).toEqual({ output: '@@zjm-other end kernel 0\n6.1.0-1-amd64', exitCode: 0 })
    expect(outputs.has('zfs-module')).toBe(false)
  })

  it('lists every command it runs, and none of them writes', () => {
    const listed = describeChecks()
    for (const c of CHECKS) expect(listed).toContain(`# ${c.id}: ${c.what}\n${c.shell}`)
    // Read-only by construction: no command writes, mounts, starts, stops or removes.
    for (const c of CHECKS) {
      expect(c.shell).not.toMatch(
        /(^|[;&|]\s*)(rm|mv|cp|tee|mkdir|touch|mount|umount|zfs (create|set|destroy|mount)|systemctl (start|stop|restart))\b|>(?!&|\/dev\/null)/
      )
    }
  })
})
