import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CleanupLedger } from '../../src/cleanup/ledger.js'
import { describe, expect, it } from '@jest/globals'
import { cmd } from '../../src/exec/command.js'
import { processExecutor } from '../../src/exec/executor.js'
import type { HostContext } from '../../src/host/context.js'
import { BootMayRecover, waitForSsh } from '../../src/providers/qemu/wait-for-ssh.js'
import { freeTcpPort } from '../../src/providers/qemu/ports.js'
import { VmProcess } from '../../src/providers/qemu/vm-process.js'
import { collectingLog } from '../vm/vm-env.js'
import { tempDir } from '../helpers.js'

// A shell script that writes a serial log stands in for a qemu whose guest never reached sshd: what
// waitForSsh decides depends only on the exit, the serial tail and whether the serial log still grows.
async function boot(script: string, serialText: string, stallMs = 60_000): Promise<unknown> {
  const dir = tempDir()
  const serial = join(dir, 'serial.log')
  const guest = join(dir, 'guest.sh')
  writeFileSync(guest, script)
  const ctx: HostContext = {
    exec: processExecutor,
    ledger: new CleanupLedger(join(dir, 'ledger.json')),
    log: collectingLog([]),
    signal: new AbortController().signal,
    workDir: dir
  }
  const vm = VmProcess.start(cmd('sh', guest, serialText, serial), 'zjm-test-guest', serial, ctx)
  const target = { port: await freeTcpPort(), identity: join(dir, 'no-key') }
  try {
    return await waitForSsh(vm, target, ctx, { timeoutMs: 60_000, stallMs }).then(
      () => 'answered',
      (e: unknown) => e
    )
  } finally {
    await vm.stop(100)
  }
}

const bootThatEnds = (serialText: string) => boot(`printf '%s' "$1" > "$2"; sleep 1\n`, serialText)

describe('waitForSsh', () => {
  it('tells a guest kernel panic apart, so the boot can be tried once more', async () => {
    const e = await bootThatEnds(
      '[   11.523332] Modules linked in: virtio_net\n[   11.524173] Kernel panic - not syncing: Fatal exception in interrupt\n'
    )
    expect(e).toBeInstanceOf(BootMayRecover)
    expect((e as BootMayRecover).kind).toBe('panic')
    expect((e as Error).message).toContain('Kernel panic - not syncing: Fatal exception in interrupt')
  })

  it('reports any other early exit as a plain error with the serial tail', async () => {
    const e = await bootThatEnds('[    2.1] EXT4-fs (vda): mounted filesystem\nreboot: Power down\n')
    expect(e).toBeInstanceOf(Error)
    expect(e).not.toBeInstanceOf(BootMayRecover)
    expect((e as Error).message).toMatch(
      /qemu exited \(code 0\) before the VM answered ssh: .*reboot: Power down/s
    )
  })

  it('tells a guest whose serial console went silent apart, after the stall time and not the timeout', async () => {
    const started = Date.now()
    const e = await boot(
      `printf '%s' "$1" > "$2"; exec sleep 30\n`,
      '[    1.703588] IP idents hash table entries: 32768 (order: 6, 262144 bytes, linear)\n',
      3000
    )
    expect(e).toBeInstanceOf(BootMayRecover)
    expect((e as BootMayRecover).kind).toBe('stall')
    expect((e as Error).message).toMatch(/serial console was silent for [34]s.*IP idents hash table/s)
    expect(Date.now() - started).toBeLessThan(20_000)
  })

  it('does not count a console that keeps writing as hung', async () => {
    const e = await boot(
      `i=0; while [ $i -lt 6 ]; do echo "[ $i ] still booting" >> "$2"; sleep 1; i=$((i+1)); done\n`,
      '',
      3000
    )
    expect(e).not.toBeInstanceOf(BootMayRecover)
    expect((e as Error).message).toMatch(/qemu exited \(code 0\).*\[ 5 \] still booting/s)
  })
})
