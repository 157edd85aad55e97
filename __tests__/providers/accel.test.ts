import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { chooseAccelerator, kvmProbeCommand } from '../../src/providers/qemu/accel.js'
import { tempDir } from '../helpers.js'
import { fakeExecutor, type Reply } from '../fakes.js'

const fakeExec = (reply: Reply) => fakeExecutor(() => reply)

const KERNEL = '/cache/debian-12/vmlinuz'

function fakeKvm(): string {
  const path = join(tempDir(), 'kvm')
  writeFileSync(path, '')
  return path
}

const PANIC = `SeaBIOS (version 1.16.2-debian-1.16.2-1)
Booting from ROM..
[    0.000000] Linux version 6.1.0-41-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 (2025-11-09)
[    0.000000] Command line: console=ttyS0 panic=-1
[    0.912345] VFS: Cannot open root device "" or unknown-block(0,0): error -6
[    0.912400] Please append a correct "root=" boot option; here are the available partitions:
[    0.912500] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)
[    0.912600] ---[ end Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0) ]---
`

describe('kvmProbeCommand', () => {
  it('boots the kernel under KVM with no disk, output on stdio', () => {
    expect(kvmProbeCommand(KERNEL)).toEqual({
      program: 'qemu-system-x86_64',
      args: [
        '-accel',
        'kvm',
        '-cpu',
        'host',
        '-m',
        '256',
        '-kernel',
        KERNEL,
        '-append',
        'console=ttyS0 panic=-1',
        '-nodefaults',
        '-no-reboot',
        '-display',
        'none',
        '-serial',
        'stdio'
      ]
    })
  })
})

describe('chooseAccelerator', () => {
  it('falls back to TCG without probing when the KVM device does not exist', async () => {
    const missing = join(tempDir(), 'no-kvm-here')
    const exec = fakeExec({})
    expect(await chooseAccelerator(exec, KERNEL, missing)).toEqual({
      accel: 'tcg',
      reason: `${missing} is not usable (ENOENT)`
    })
    expect(exec.calls).toEqual([])
  })

  it('chooses KVM when the probe reaches the no-root panic', async () => {
    const exec = fakeExec({ stdout: PANIC })
    expect(await chooseAccelerator(exec, KERNEL, fakeKvm())).toEqual({
      accel: 'kvm',
      reason: 'KVM booted the guest kernel'
    })
    expect(exec.calls).toHaveLength(1)
    expect(exec.calls[0]![0]).toEqual(kvmProbeCommand(KERNEL))
    expect(exec.calls[0]![1]).toEqual({ timeoutMs: 20_000 })
  })

  it('falls back to TCG when the probe times out without output', async () => {
    const exec = fakeExec({ exitCode: null, killedBy: 'timeout', durationMs: 20_000 })
    expect(await chooseAccelerator(exec, KERNEL, fakeKvm())).toEqual({
      accel: 'tcg',
      reason: 'KVM does not run the guest kernel here (the guest kernel made no progress in 20s)'
    })
  })

  it('falls back to TCG and quotes qemu when it dies on an assertion', async () => {
    const assertion =
      "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:1770: kvm_arch_init_vcpu: Assertion `ret == cpuid_i' failed."
    const exec = fakeExec({ exitCode: null, stdout: 'SeaBIOS (version 1.16.2)\n', stderr: `${assertion}\n` })
    expect(await chooseAccelerator(exec, KERNEL, fakeKvm())).toEqual({
      accel: 'tcg',
      reason: `KVM does not run the guest kernel here (${assertion})`
    })
  })

  it('does not take a kernel banner without the panic as a working KVM', async () => {
    const exec = fakeExec({ exitCode: 1, stdout: '[    0.000000] Linux version 6.1.0-41-cloud-amd64\n' })
    const choice = await chooseAccelerator(exec, KERNEL, fakeKvm())
    expect(choice.accel).toBe('tcg')
    expect(choice.reason).toBe(
      'KVM does not run the guest kernel here ([    0.000000] Linux version 6.1.0-41-cloud-amd64)'
    )
  })
})
