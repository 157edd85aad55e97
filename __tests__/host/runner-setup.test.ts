import { describe, expect, it } from '@jest/globals'
import type { Command } from '../../src/exec/command.js'
import {
  HOST_PACKAGES,
  KVM_UDEV_RULE,
  KVM_UDEV_RULE_PATH,
  REMOVABLE,
  planRunnerSetup,
  type RunnerFacts
} from '../../src/host/runner-setup.js'

const RUNNER: RunnerFacts = {
  githubActions: true,
  runnerOs: 'Linux',
  osId: 'ubuntu',
  osIdLike: ['debian'],
  kernelRelease: '6.8.0-1021-azure',
  freeDiskGb: 20,
  uid: 1001
}

const INSTALL_ARGS = [
  'install',
  '-y',
  '-q',
  '--no-install-recommends',
  'qemu-system-x86',
  'qemu-utils',
  'debootstrap',
  'debian-archive-keyring',
  'openssh-client',
  'e2fsprogs',
  'linux-modules-extra-6.8.0-1021-azure',
  'zfsutils-linux'
]

const sudo = (...args: string[]): Command => ({
  program: 'sudo',
  args: ['-n', 'env', ...args],
  env: undefined
})

describe('planRunnerSetup', () => {
  it('on a GitHub ubuntu runner as uid 1001 runs every step through sudo -n', () => {
    const plan = planRunnerSetup(RUNNER, 30)
    expect(plan.steps.map(s => s.command)).toEqual([
      sudo('rm', '-rf', ...REMOVABLE),
      sudo('apt-get', 'update', '-q'),
      sudo('DEBIAN_FRONTEND=noninteractive', 'apt-get', ...INSTALL_ARGS),
      { ...sudo('tee', KVM_UDEV_RULE_PATH), input: KVM_UDEV_RULE },
      sudo('udevadm', 'control', '--reload-rules'),
      sudo('udevadm', 'trigger', '--name-match=kvm'),
      sudo('modprobe', 'zfs')
    ])
    expect(plan.steps[0]!.why).toBe('only 20 GB free, 30 GB needed: removing preinstalled toolchains')
    for (const step of plan.steps) {
      expect(step.command.program).toBe('sudo')
      expect(step.command.args.slice(0, 2)).toEqual(['-n', 'env'])
      expect(step.why).not.toBe('')
    }
  })

  it('writes the KVM rule that opens /dev/kvm to the runner user', () => {
    expect(KVM_UDEV_RULE_PATH).toBe('/etc/udev/rules.d/99-zfs-join-matrix-kvm.rules')
    expect(KVM_UDEV_RULE).toBe('KERNEL=="kvm", GROUP="kvm", MODE="0666", OPTIONS+="static_node=kvm"\n')
    expect(HOST_PACKAGES).toEqual([
      'qemu-system-x86',
      'qemu-utils',
      'debootstrap',
      'debian-archive-keyring',
      'openssh-client',
      'e2fsprogs'
    ])
  })

  it('frees disk only when free space is below the need', () => {
    const programs = (free: number) =>
      planRunnerSetup({ ...RUNNER, freeDiskGb: free }, 30).steps.map(s => s.command.args[2])
    expect(programs(29)).toEqual([
      'rm',
      'apt-get',
      'DEBIAN_FRONTEND=noninteractive',
      'tee',
      'udevadm',
      'udevadm',
      'modprobe'
    ])
    expect(programs(30)).toEqual([
      'apt-get',
      'DEBIAN_FRONTEND=noninteractive',
      'tee',
      'udevadm',
      'udevadm',
      'modprobe'
    ])
    expect(programs(80)).toHaveLength(6)
  })

  it('as root (uid 0) runs the commands directly, without sudo', () => {
    const plan = planRunnerSetup({ ...RUNNER, uid: 0, freeDiskGb: 100 }, 30)
    expect(plan.steps.map(s => s.command)).toEqual([
      { program: 'apt-get', args: ['update', '-q'] },
      { program: 'apt-get', args: INSTALL_ARGS, env: { DEBIAN_FRONTEND: 'noninteractive' } },
      { program: 'tee', args: [KVM_UDEV_RULE_PATH], input: KVM_UDEV_RULE },
      { program: 'udevadm', args: ['control', '--reload-rules'] },
      { program: 'udevadm', args: ['trigger', '--name-match=kvm'] },
      { program: 'modprobe', args: ['zfs'] }
    ])
  })

  it('puts extra packages (the Ansible the checkout needs) on the same apt line', () => {
    const install = planRunnerSetup({ ...RUNNER, uid: 0, freeDiskGb: 100 }, 30, ['python3-venv']).steps[1]!
    expect(install.command.args).toEqual([
      ...INSTALL_ARGS.slice(0, 10),
      'python3-venv',
      ...INSTALL_ARGS.slice(10)
    ])
  })

  it('plans for an Ubuntu host outside GitHub Actions too (runner-setup: always)', () => {
    expect(planRunnerSetup({ ...RUNNER, githubActions: false, runnerOs: undefined }, 30).steps).toHaveLength(
      7
    )
  })

  it.each([
    ['on a macOS runner', { runnerOs: 'macOS', osId: undefined }, '(found an unknown distribution)'],
    ['on a Debian host', { osId: 'debian' }, '(found debian)']
  ])('refuses %s, naming the packages to install', (_where, facts, found) => {
    expect(() => planRunnerSetup({ ...RUNNER, ...facts }, 30)).toThrow(
      new Error(
        `runner setup is for Ubuntu hosts ${found}; on this host install ` +
          'qemu-system-x86 qemu-utils debootstrap debian-archive-keyring openssh-client e2fsprogs ' +
          'yourself and make /dev/kvm usable, or run with TCG'
      )
    )
  })
})
