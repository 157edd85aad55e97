import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CleanupLedger } from '../../src/cleanup/ledger.js'
import { describe, expect, it } from '@jest/globals'
import { cmd } from '../../src/exec/command.js'
import { processExecutor } from '../../src/exec/executor.js'
import type { HostContext } from '../../src/host/context.js'
import { BootPanic, waitForSsh } from '../../src/providers/qemu/qemu-provider.js'
import { freeTcpPort } from '../../src/providers/qemu/ports.js'
import { VmProcess } from '../../src/providers/qemu/vm-process.js'
import { collectingLog } from '../vm/vm-env.js'
import { tempDir } from '../helpers.js'

// A process that writes a serial log and exits stands in for a qemu whose guest never reached sshd:
// what waitForSsh decides depends only on the exit and the serial tail.
async function bootThatEnds(serialText: string): Promise<unknown> {
  const dir = tempDir()
  const serial = join(dir, 'serial.log')
  const script = join(dir, 'guest.sh')
  writeFileSync(script, `printf '%s' "$1" > "$2"; sleep 1\n`)
  const ctx: HostContext = {
    exec: processExecutor,
    ledger: new CleanupLedger(join(dir, 'ledger.json')),
    log: collectingLog([]),
    signal: new AbortController().signal,
    workDir: dir
  }
  const vm = VmProcess.start(cmd('sh', script, serialText, serial), 'zjm-test-guest', serial, ctx)
  const target = { port: await freeTcpPort(), identity: join(dir, 'no-key') }
  return waitForSsh(vm, target, ctx, 60_000).then(
    () => 'answered',
    (e: unknown) => e
  )
}

describe('waitForSsh', () => {
  it('tells a guest kernel panic apart, so the boot can be tried once more', async () => {
    const e = await bootThatEnds(
      '[   11.523332] Modules linked in: virtio_net\n[   11.524173] Kernel panic - not syncing: Fatal exception in interrupt\n'
    )
    expect(e).toBeInstanceOf(BootPanic)
    expect((e as Error).message).toContain('Kernel panic - not syncing: Fatal exception in interrupt')
  })

  it('reports any other early exit as a plain error with the serial tail', async () => {
    const e = await bootThatEnds('[    2.1] EXT4-fs (vda): mounted filesystem\nreboot: Power down\n')
    expect(e).toBeInstanceOf(Error)
    expect(e).not.toBeInstanceOf(BootPanic)
    expect((e as Error).message).toMatch(
      /qemu exited \(code 0\) before the VM answered ssh: .*reboot: Power down/s
    )
  })
})
