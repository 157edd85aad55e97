import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { cmd, type Command } from '../exec/command.js'
import { describeFailure, type Executor } from '../exec/executor.js'
import { provideWheelhouse, type WheelCache } from './ansible-wheels.js'
import type { AnsibleSource } from '../inputs/config.js'

/** An Ansible ready to run kubespray: its bin directory ('' for PATH) and what it is. */
export interface AnsibleTools {
  readonly bin: string
  /** e.g. `ansible-playbook [core 2.14.18] (system)`, for the log and the report. */
  readonly description: string
  /** ansible-core's and Jinja's versions as `--version` prints them (`2.14.18`, `3.1.2`); absent if not printed. */
  readonly versions?: AnsibleVersions
}

export interface AnsibleVersions {
  readonly core: string | null
  readonly jinja: string | null
}

/** Reads `ansible-playbook --version`: its first line and the ansible-core and Jinja versions. */
export function parseAnsibleVersion(stdout: string): { line: string; versions: AnsibleVersions } {
  const line = stdout.split('\n')[0]!.trim()
  const core =
    /\[core ([\d.]+)[^\]]*\]/.exec(line)?.[1] ?? /^ansible(?:-playbook)? ([\d.]+)/.exec(line)?.[1] ?? null
  const jinja = /^\s*jinja version = ([\d.]+)/m.exec(stdout)?.[1] ?? null
  return { line, versions: { core, jinja } }
}

export type AnsibleAvailability =
  | { readonly kind: 'ready'; readonly tools: AnsibleTools }
  | { readonly kind: 'unavailable'; readonly reason: string }

export interface ProvideAnsibleOptions {
  readonly source: AnsibleSource
  readonly kubespray: string
  /** Where a virtualenv is created (inside the run's work dir, so it is removed with it). */
  readonly venvDir: string
  readonly exec: Executor
  readonly signal: AbortSignal
  /** True on GitHub runners: `auto` then installs what kubespray's requirements.txt asks for. */
  readonly onRunner: boolean
  /** Where the wheels of the requirements are kept between runs. */
  readonly wheelCache: WheelCache
}

/**
 * `venv`: a virtualenv with kubespray's requirements.txt, as kubespray's docs and CI install it, from
 * wheels cached between runs; `system`: the `ansible-playbook` on PATH; `auto`: venv on runners,
 * system elsewhere (a lab's own Ansible). Never throws: an Ansible that cannot be had makes the join
 * cells skipped with the reason.
 */
export async function provideAnsible(options: ProvideAnsibleOptions): Promise<AnsibleAvailability> {
  const venv = options.source === 'venv' || (options.source === 'auto' && options.onRunner)
  return venv ? installVenv(options) : systemAnsible(options)
}

async function systemAnsible(options: ProvideAnsibleOptions): Promise<AnsibleAvailability> {
  const version = await ansibleVersion('', options)
  if (version === null) {
    return {
      kind: 'unavailable',
      reason: `ansible-playbook is not installed (ansible: ${options.source}); install it, or use ansible: venv to install kubespray's requirements.txt`
    }
  }
  return {
    kind: 'ready',
    tools: { bin: '', description: `${version.line} (system)`, versions: version.versions }
  }
}

async function installVenv(options: ProvideAnsibleOptions): Promise<AnsibleAvailability> {
  const requirements = join(options.kubespray, 'requirements.txt')
  if (!existsSync(requirements)) {
    return {
      kind: 'unavailable',
      reason: `the kubespray checkout has no requirements.txt to install Ansible from (${requirements})`
    }
  }
  const run = (command: Command) =>
    options.exec.run(command, { signal: options.signal, timeoutMs: 5 * 60_000 })
  const created = await run(cmd('python3', '-m', 'venv', options.venvDir))
  if (created.exitCode !== 0) {
    return { kind: 'unavailable', reason: `could not create a virtualenv: ${describeFailure(created)}` }
  }
  const wheels = await provideWheelhouse({ ...options, cache: options.wheelCache, requirements })
  if (wheels.kind === 'unavailable') return wheels
  const installed = await run(installCommand(options.venvDir, wheels.dir, requirements))
  if (installed.exitCode !== 0) {
    return {
      kind: 'unavailable',
      reason: `could not install ${requirements} into a virtualenv from the wheels in ${wheels.dir}: ${describeFailure(installed)}`
    }
  }
  const bin = join(options.venvDir, 'bin')
  const version = await ansibleVersion(bin, options)
  if (version === null) {
    return { kind: 'unavailable', reason: `${requirements} installed no ansible-playbook into ${bin}` }
  }
  return {
    kind: 'ready',
    tools: {
      bin,
      description: `${version.line} (virtualenv, ${requirements}; wheels ${wheels.source})`,
      versions: version.versions
    }
  }
}

/** kubespray's pinned requirements (ansible-core, jinja2, netaddr…) from the wheelhouse only. */
export function installCommand(venvDir: string, wheelhouse: string, requirements: string): Command {
  return cmd(
    join(venvDir, 'bin', 'pip'),
    'install',
    '--disable-pip-version-check',
    '--no-input',
    '--no-index',
    '--find-links',
    wheelhouse,
    '-r',
    requirements
  )
}

async function ansibleVersion(
  bin: string,
  options: ProvideAnsibleOptions
): Promise<ReturnType<typeof parseAnsibleVersion> | null> {
  const r = await options.exec
    .run(cmd(tool(bin, 'ansible-playbook'), '--version'), { signal: options.signal, timeoutMs: 60_000 })
    .catch(() => null)
  if (r === null || r.exitCode !== 0) return null
  return parseAnsibleVersion(r.stdout)
}

function tool(bin: string, name: string): string {
  return bin === '' ? name : join(bin, name)
}

export interface PlaybookRun {
  /** Relative to the checkout: `cluster.yml`, `scale.yml`, `reset.yml`. */
  readonly playbook: string
  readonly limit: string
  /** Passed with `-e` (highest precedence): only what a playbook itself asks for, like reset's confirmation. */
  readonly extraVars?: Readonly<Record<string, string>>
}

/**
 * `ansible-playbook` as kubespray's own CI runs it, from the checkout (so its ansible.cfg, library and
 * plugins apply) against the generated inventory. Output is plain and unbuffered so it streams per cell.
 */
export function playbookCommand(
  ansible: AnsibleTools,
  paths: { readonly kubespray: string; readonly inventory: string; readonly tempDir: string },
  run: PlaybookRun
): Command {
  const extra = run.extraVars === undefined ? [] : ['-e', JSON.stringify(run.extraVars)]
  return {
    ...cmd(
      tool(ansible.bin, 'ansible-playbook'),
      '-i',
      paths.inventory,
      '--limit',
      run.limit,
      '--become',
      ...extra,
      run.playbook
    ),
    cwd: paths.kubespray,
    env: {
      ANSIBLE_HOST_KEY_CHECKING: 'False',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_FORCE_COLOR: '0',
      ANSIBLE_RETRY_FILES_ENABLED: 'False',
      ANSIBLE_LOCAL_TEMP: paths.tempDir,
      PYTHONUNBUFFERED: '1'
    }
  }
}

/** `ansible-inventory --list`: what Ansible makes of a generated inventory, as JSON. */
export function inventoryListCommand(ansible: AnsibleTools, inventory: string): Command {
  return cmd(tool(ansible.bin, 'ansible-inventory'), '-i', inventory, '--list')
}
