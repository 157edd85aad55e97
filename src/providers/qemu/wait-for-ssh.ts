import { statSync } from 'node:fs'
import { cmd } from '../../exec/command.js'
import type { HostContext } from '../../host/context.js'
import { sshCommand, type SshTarget } from './ssh.js'
import type { VmProcess } from './vm-process.js'

/** qemu could not open its ssh forward: the port was taken after we picked it. */
export class PortTaken extends Error {}

/**
 * The guest's kernel failed in a way a second boot of the same disk may not repeat: it panicked, or its
 * serial console went silent for good before sshd answered.
 */
export class BootMayRecover extends Error {
  constructor(
    readonly kind: 'panic' | 'stall',
    message: string
  ) {
    super(message)
  }

  get what(): string {
    return this.kind === 'panic'
      ? 'the guest kernel panicked while booting'
      : 'the guest stopped writing to its serial console while booting'
  }
}

export interface WaitForSshOptions {
  /** Wall-clock limit for the whole boot. */
  readonly timeoutMs: number
  /** How long the serial log may stay the same size before the boot counts as hung. */
  readonly stallMs: number
}

function serialSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

/**
 * Waits until the guest's sshd accepts our key, racing qemu's exit against a wall-clock deadline: a VM
 * that dies is reported at once with its stderr and serial tail, not after the timeout, and one whose
 * console stopped moving is reported after `stallMs`, not after the whole timeout.
 */
export async function waitForSsh(
  vm: VmProcess,
  target: SshTarget,
  ctx: HostContext,
  options: WaitForSshOptions
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs
  const died = vm.exited.then(exit => ({ died: exit }))
  let size = serialSize(vm.serialLog)
  let grewAt = Date.now()
  for (;;) {
    if (ctx.signal.aborted) throw new Error('cancelled while waiting for the VM to boot')
    const now = Date.now()
    const newSize = serialSize(vm.serialLog)
    if (newSize !== size) {
      size = newSize
      grewAt = now
    } else if (now - grewAt > options.stallMs) {
      throw new BootMayRecover(
        'stall',
        `the VM's serial console was silent for ${Math.round((now - grewAt) / 1000)}s and it did not answer ssh. Last serial lines:\n${vm.serialTail()}`
      )
    }
    if (now > deadline) {
      throw new Error(
        `the VM did not answer ssh within ${Math.round(options.timeoutMs / 1000)}s. Last serial lines:\n${vm.serialTail()}`
      )
    }
    const attempt = ctx.exec.run(sshCommand(target, cmd('true'), 5), {
      timeoutMs: 20_000,
      signal: ctx.signal
    })
    const outcome = await Promise.race([attempt, died])
    if ('died' in outcome) {
      const stderr = outcome.died.stderr.trim()
      if (/Could not set up host forwarding rule/.test(stderr)) throw new PortTaken(stderr)
      const tail = vm.serialTail()
      const message = `qemu exited (code ${outcome.died.code ?? outcome.died.signal}) before the VM answered ssh: ${stderr || '(no stderr)'}. Last serial lines:\n${tail}`
      throw /Kernel panic - not syncing/.test(tail)
        ? new BootMayRecover('panic', message)
        : new Error(message)
    }
    if (outcome.exitCode === 0) return
    await Promise.race([new Promise(r => setTimeout(r, 1000)), died])
  }
}
