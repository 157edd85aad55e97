import { readFileSync } from 'node:fs'
import { cmd, type Command } from '../exec/command.js'
import { check, type Executor } from '../exec/executor.js'
import type { Log } from '../log/log.js'
import { VM_PACKAGES } from './host-needs.js'
import { asRoot } from '../exec/privilege.js'

/** Host packages the qemu provider and the image builder need (Debian and Ubuntu names agree). */
export const HOST_PACKAGES: readonly string[] = VM_PACKAGES.map(p => p.name)

/** The rule GitHub-hosted runners need so a non-root process may open /dev/kvm (root:kvm 0660 by default). */
export const KVM_UDEV_RULE = 'KERNEL=="kvm", GROUP="kvm", MODE="0666", OPTIONS+="static_node=kvm"\n'
export const KVM_UDEV_RULE_PATH = '/etc/udev/rules.d/99-zfs-join-matrix-kvm.rules'

/** Preinstalled toolchains a kubespray fork's matrix does not use, largest first (≈25 GB together). */
export const REMOVABLE = [
  '/usr/local/lib/android',
  '/usr/share/dotnet',
  '/opt/ghc',
  '/usr/local/.ghcup',
  '/opt/hostedtoolcache/CodeQL'
]

export interface RunnerFacts {
  readonly githubActions: boolean
  readonly runnerOs: string | undefined
  /** ID from /etc/os-release. */
  readonly osId: string | undefined
  /** ID_LIKE from /etc/os-release (`debian` on Ubuntu and Debian's derivatives). */
  readonly osIdLike: readonly string[]
  /** `uname -r`, for the matching linux-modules-extra package that carries zfs.ko on Ubuntu. */
  readonly kernelRelease: string
  readonly freeDiskGb: number
  /** Root runs the commands directly; anyone else through sudo. */
  readonly uid: number
}

export interface SetupPlan {
  readonly steps: readonly { readonly why: string; readonly command: Command }[]
}

/**
 * What the action runs on a GitHub-hosted ubuntu runner before it can build images and boot VMs:
 * apt packages (qemu, debootstrap, Debian's keyring, ZFS for host-side clones), the KVM udev rule,
 * the zfs module, and disk space when less than `needGb` is free; `extra` packages (the Ansible the checkout
 * needs) go on the same apt line. Pure: tested as the commands it makes.
 */
export function planRunnerSetup(
  facts: RunnerFacts,
  needGb: number,
  extra: readonly string[] = []
): SetupPlan {
  // The steps are Ubuntu's (linux-modules-extra carries zfs.ko); where they run is the caller's choice.
  if (facts.osId !== 'ubuntu') {
    throw new Error(
      `runner setup is for Ubuntu hosts (found ${facts.osId ?? 'an unknown distribution'}); ` +
        `on this host install ${HOST_PACKAGES.join(' ')} yourself and make /dev/kvm usable, or run with TCG`
    )
  }
  const steps: { why: string; command: Command }[] = []
  if (facts.freeDiskGb < needGb) {
    steps.push({
      why: `only ${facts.freeDiskGb} GB free, ${needGb} GB needed: removing preinstalled toolchains`,
      command: asRoot(cmd('rm', '-rf', ...REMOVABLE), facts.uid)
    })
  }
  steps.push(
    { why: 'package lists', command: asRoot(cmd('apt-get', 'update', '-q'), facts.uid) },
    {
      why: 'qemu, debootstrap, Debian keyring, ZFS',
      command: asRoot(
        {
          ...cmd(
            'apt-get',
            'install',
            '-y',
            '-q',
            '--no-install-recommends',
            ...HOST_PACKAGES,
            ...extra,
            `linux-modules-extra-${facts.kernelRelease}`,
            'zfsutils-linux'
          ),
          env: { DEBIAN_FRONTEND: 'noninteractive' }
        },
        facts.uid
      )
    },
    {
      why: 'KVM for the runner user',
      command: asRoot({ ...cmd('tee', KVM_UDEV_RULE_PATH), input: KVM_UDEV_RULE }, facts.uid)
    },
    { why: 'reload udev rules', command: asRoot(cmd('udevadm', 'control', '--reload-rules'), facts.uid) },
    { why: 'apply the KVM rule', command: asRoot(cmd('udevadm', 'trigger', '--name-match=kvm'), facts.uid) },
    { why: 'zfs module for host-side clones', command: asRoot(cmd('modprobe', 'zfs'), facts.uid) }
  )
  return { steps }
}

export function readRunnerFacts(
  env: NodeJS.ProcessEnv,
  kernelRelease: string,
  freeDiskGb: number,
  uid = process.getuid?.() ?? 0
): RunnerFacts {
  let osRelease = ''
  try {
    osRelease = readFileSync('/etc/os-release', 'utf8')
  } catch {
    // No os-release: an unknown distribution, which the setup refuses by name.
  }
  const field = (name: string): string | undefined =>
    new RegExp(`^${name}=(.*)$`, 'm').exec(osRelease)?.[1]?.replace(/["']/g, '')
  const osId = field('ID')
  const osIdLike = (field('ID_LIKE') ?? '').split(/\s+/).filter(id => id !== '')
  return {
    githubActions: env.GITHUB_ACTIONS === 'true',
    runnerOs: env.RUNNER_OS,
    osId,
    osIdLike,
    kernelRelease,
    freeDiskGb,
    uid
  }
}

export async function runSetup(plan: SetupPlan, exec: Executor, log: Log): Promise<void> {
  for (const step of plan.steps) {
    log.info(`runner setup: ${step.why}`)
    await check(exec, step.command, { timeoutMs: 15 * 60_000 })
  }
}
