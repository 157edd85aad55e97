import { accessSync, constants } from 'node:fs'
import { cmd, type Command } from '../../exec/command.js'
import type { Executor } from '../../exec/executor.js'
import type { Accelerator } from './qemu-args.js'

export interface AcceleratorChoice {
  readonly accel: Accelerator
  readonly reason: string
}

/**
 * Boots the image's kernel under KVM with no root disk: a working KVM reaches the "unable to mount root"
 * panic within a second or two. An existing /dev/kvm is not enough: some hosts expose it but cannot run
 * a standard guest kernel, so this tries for real and falls back to TCG.
 */
export function kvmProbeCommand(kernel: string): Command {
  return cmd(
    'qemu-system-x86_64',
    '-accel',
    'kvm',
    '-cpu',
    'host',
    '-m',
    '256',
    '-kernel',
    kernel,
    '-append',
    'console=ttyS0 panic=-1',
    '-nodefaults',
    '-no-reboot',
    '-display',
    'none',
    '-serial',
    'stdio'
  )
}

const BOOTED = /Kernel panic|VFS: Unable to mount root|Linux version/

export async function chooseAccelerator(
  exec: Executor,
  kernel: string,
  devKvm = '/dev/kvm'
): Promise<AcceleratorChoice> {
  try {
    accessSync(devKvm, constants.R_OK | constants.W_OK)
  } catch (e) {
    return {
      accel: 'tcg',
      reason: `${devKvm} is not usable (${(e as NodeJS.ErrnoException).code ?? 'error'})`
    }
  }
  const probe = await exec.run(kvmProbeCommand(kernel), { timeoutMs: 20_000 })
  if (BOOTED.test(probe.stdout) && /Kernel panic|VFS/.test(probe.stdout)) {
    return { accel: 'kvm', reason: 'KVM booted the guest kernel' }
  }
  const why =
    probe.killedBy === 'timeout'
      ? 'the guest kernel made no progress in 20s'
      : lastLine(probe.stderr || probe.stdout)
  return { accel: 'tcg', reason: `KVM does not run the guest kernel here (${why})` }
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? 'no output'
}
