import { statfsSync } from 'node:fs'
import { release } from 'node:os'
import { cmd, shellLine, type Command } from '../exec/command.js'
import { check, type Executor } from '../exec/executor.js'
import type { Config, RunnerSetup } from '../inputs/config.js'
import { InputErrors, problem } from '../inputs/errors.js'
import type { Tier } from '../plan/axes.js'
import type { HostContext } from './context.js'
import { missingPackages, PYTHON_VENV, SYSTEM_ANSIBLE, VM_PACKAGES, type HostNeed } from './host-needs.js'
import { asRoot } from '../exec/privilege.js'
import {
  HOST_PACKAGES,
  planRunnerSetup,
  readRunnerFacts,
  runSetup,
  type RunnerFacts
} from './runner-setup.js'

/** Space a run with a few cold image builds needs: rootfs builds, cached images, VM overlays. */
const NEED_GB = 20

const VM_TIERS: readonly Tier[] = ['probe', 'join', 'rejoin']

/**
 * What the requested work needs on the host: the VM packages for a tier that boots nodes (or `mode:
 * images`), and the Ansible the checkout's tiers run (`ansible: system`, or `auto` off runners) or the
 * venv module that installs it (`ansible: venv`, or `auto` on runners).
 */
export function hostNeeds(
  config: Pick<Config, 'tiers' | 'kubesprayPath' | 'ansible'>,
  { buildsImages, onRunner }: { readonly buildsImages: boolean; readonly onRunner: boolean }
): HostNeed[] {
  const vmTiers = config.tiers.filter(t => VM_TIERS.includes(t))
  const needs: HostNeed[] = []
  if (buildsImages || vmTiers.length > 0) {
    needs.push({
      why: buildsImages ? 'mode images' : `the ${vmTiers.join(', ')} tier(s)`,
      packages: VM_PACKAGES
    })
  }
  // Images are built without Ansible; only the tiers that run the checkout's playbooks need it.
  if (config.kubesprayPath !== null && vmTiers.length > 0 && !buildsImages) {
    const venv = config.ansible === 'venv' || (config.ansible === 'auto' && onRunner)
    needs.push({
      why: `Ansible for the checkout (ansible: ${config.ansible})`,
      packages: [venv ? PYTHON_VENV : SYSTEM_ANSIBLE]
    })
  }
  return needs
}

/**
 * Applies `runner-setup` before anything else starts. On GitHub's ubuntu runners (`auto`) and on any
 * Ubuntu host (`always`): the runner setup, which also opens /dev/kvm and loads zfs. Elsewhere (`auto`):
 * only the packages that are missing, installed with apt as root or through password-less sudo, each
 * command printed. A host that lacks a package and may not install it (`never`, no root and no sudo,
 * not Debian or Ubuntu) is an input error (exit 2) that gives the command, so no cell is run only to
 * be skipped for a tool the user can install in one line.
 */
export async function prepareHost(
  setup: RunnerSetup,
  needs: readonly HostNeed[],
  host: HostContext
): Promise<void> {
  if (needs.length === 0) return
  const stat = statfsSync(host.workDir)
  const facts = readRunnerFacts(
    process.env,
    // The kernel release, as `uname -r` prints it.
    release(),
    Math.floor((stat.bavail * stat.bsize) / 2 ** 30)
  )
  const missing = await missingPackages(
    needs.flatMap(n => n.packages),
    host.exec,
    host.signal
  )
  const onRunner = facts.githubActions && facts.runnerOs === 'Linux' && facts.osId === 'ubuntu'
  if (setup === 'always' || (setup === 'auto' && onRunner)) {
    if (facts.osId !== 'ubuntu') {
      throw new InputErrors([
        problem(
          'runner-setup',
          `"always" runs the runner setup (apt packages, the /dev/kvm rule, the zfs module), which is for Ubuntu hosts; this one is ${facts.osId ?? 'of an unknown distribution'}: use "auto" (installs only missing packages on Debian and Ubuntu) or "never"`
        )
      ])
    }
    const extra = missing.map(p => p.name).filter(name => !HOST_PACKAGES.includes(name))
    await runSetup(planRunnerSetup(facts, NEED_GB, extra), host.exec, host.log)
    return
  }
  if (missing.length === 0) return
  const names = missing.map(p => p.name)
  const whys = needs.filter(n => n.packages.some(p => names.includes(p.name))).map(n => n.why)
  const install = installCommands(names, facts.uid)
  const cannot = setup === 'never' ? null : await whyNotInstallable(facts, host.exec, host.signal)
  if (setup === 'never' || cannot !== null) {
    throw new InputErrors([problem('runner-setup', cannotInstallMessage(names, whys, setup, cannot))])
  }
  host.log.info(`host setup: installing ${names.join(' ')} for ${whys.join('; ')} (runner-setup: ${setup})`)
  for (const command of install) {
    host.log.info(`host setup: ${shellLine(withEnv(command))}`)
    await check(host.exec, command, { timeoutMs: 15 * 60_000, signal: host.signal })
  }
  const still = await missingPackages(missing, host.exec, host.signal)
  if (still.length > 0) {
    throw new Error(
      `host setup: installed ${names.join(' ')}, but ${still.map(p => shellLine(p.present)).join(', ')} still fails`
    )
  }
}

/**
 * The error for a host that lacks packages it will not or cannot install: what is missing and for
 * what, why it was not installed, and the command to run as root. Pure, for its tests.
 */
export function cannotInstallMessage(
  names: readonly string[],
  whys: readonly string[],
  setup: RunnerSetup,
  cannot: string | null
): string {
  const line = installCommands(names, 0)
    .map(c => shellLine(withEnv(c)))
    .join(' && ')
  const reason =
    setup === 'never'
      ? 'runner-setup is "never", so the run does not install them'
      : `"auto" cannot install them: ${cannot ?? 'unknown'}`
  const instead = setup === 'never' ? '; or set runner-setup: auto to let the run install them' : ''
  return `this host lacks ${names.join(' ')} (for ${whys.join('; ')}) and ${reason}. Install them as root with \`${line}\` (or your distribution's equivalents), then run again${instead}`
}

/** apt-get update, then the packages, without questions; as root or through `sudo -n`. */
function installCommands(packages: readonly string[], uid: number): Command[] {
  const quiet = { env: { DEBIAN_FRONTEND: 'noninteractive' } }
  return [
    asRoot(cmd('apt-get', 'update', '-q'), uid),
    asRoot(
      { ...cmd('apt-get', 'install', '-y', '-q', '--no-install-recommends', ...packages), ...quiet },
      uid
    )
  ]
}

/** The command as a shell line would run it, its environment in front (`VAR=value program …`). */
function withEnv(command: Command): Command {
  const env = Object.entries(command.env ?? {}).map(([k, v]) => `${k}=${v}`)
  if (env.length === 0) return command
  return { ...command, program: 'env', args: [...env, command.program, ...command.args] }
}

/** Why apt cannot be used here, or null when it can. */
async function whyNotInstallable(
  facts: RunnerFacts,
  exec: Executor,
  signal?: AbortSignal
): Promise<string | null> {
  const family = [facts.osId, ...facts.osIdLike]
  if (!family.some(id => id === 'debian' || id === 'ubuntu')) {
    return `it installs with apt on Debian and Ubuntu only, and this host is ${facts.osId ?? 'of an unknown distribution'}`
  }
  if (facts.uid === 0) return null
  const sudo = await exec.run(cmd('sudo', '-n', 'true'), { timeoutMs: 30_000, signal })
  if (sudo.exitCode === 0) return null
  return `it is not running as root and \`sudo -n true\` failed (${(sudo.stderr.trim() || `exit ${sudo.exitCode}`).split('\n')[0]})`
}
