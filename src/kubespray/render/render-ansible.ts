import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Command } from '../../exec/command.js'
import type { Executor } from '../../exec/executor.js'
import type { Log } from '../../log/log.js'
import type { AnsibleTools } from '../ansible.js'
import { playbookOutcome } from '../playbook-outcome.js'
import { runPlaybook } from '../run-playbook.js'
import type { LayoutEntry } from './render-playbook.js'

/** Where and how the render's generated playbooks run. */
export interface PlaybookContext {
  readonly ansible: AnsibleTools
  /** The checkout: the playbooks run from it, so its ansible.cfg (and its library) apply. */
  readonly root: string
  /** The generated layout (inventory/, roles/, the playbooks), facts/ and tmp/. */
  readonly dir: string
  readonly logDir: string
  readonly exec: Executor
  readonly log: Log
  readonly signal: AbortSignal
  readonly timeoutMs: number
}

/** Runs one of the generated playbooks from the checkout (its ansible.cfg applies); null when it passed. */
export async function runGenerated(
  request: PlaybookContext,
  playbook: string,
  logName: string,
  forks: number
): Promise<string | null> {
  mkdirSync(request.logDir, { recursive: true })
  const result = await runPlaybook(playbookCommand(request, playbook, forks), {
    exec: request.exec,
    log: request.log,
    logFile: join(request.logDir, logName),
    signal: request.signal,
    timeoutMs: request.timeoutMs,
    quiet: true
  })
  const outcome = playbookOutcome(playbook, result)
  return outcome.kind === 'ok' ? null : `${outcome.message} (see ${logName})`
}

function playbookCommand(request: PlaybookContext, playbook: string, forks: number): Command {
  const bin = request.ansible.bin
  return {
    program: bin === '' ? 'ansible-playbook' : join(bin, 'ansible-playbook'),
    args: ['-i', join(request.dir, 'inventory', 'hosts.yml'), join(request.dir, playbook)],
    cwd: request.root,
    env: {
      ANSIBLE_ROLES_PATH: join(request.dir, 'roles'),
      // The node's facts are gathered once and copied to every cell host through Ansible's own cache.
      ANSIBLE_CACHE_PLUGIN: 'jsonfile',
      ANSIBLE_CACHE_PLUGIN_CONNECTION: join(request.dir, 'facts'),
      ANSIBLE_CACHE_PLUGIN_TIMEOUT: '0',
      ANSIBLE_CACHE_PLUGIN_PREFIX: '',
      ANSIBLE_GATHERING: 'explicit',
      ANSIBLE_FORKS: String(Math.min(32, Math.max(1, forks))),
      ANSIBLE_HOST_KEY_CHECKING: 'False',
      // One ssh connection for the node's facts and queries (each new one costs seconds under TCG),
      // gone a few seconds after the play (kubespray's ansible.cfg would keep it for 30 minutes).
      ANSIBLE_SSH_ARGS: '-o ControlMaster=auto -o ControlPersist=5s',
      ANSIBLE_SSH_CONTROL_PATH_DIR: join(request.dir, 'cp'),
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_FORCE_COLOR: '0',
      ANSIBLE_RETRY_FILES_ENABLED: 'False',
      ANSIBLE_LOCAL_TEMP: join(request.dir, 'tmp'),
      ANSIBLE_DEPRECATION_WARNINGS: 'False',
      PYTHONUNBUFFERED: '1'
    }
  }
}

export function writeLayout(dir: string, entries: readonly LayoutEntry[]): void {
  for (const entry of entries) {
    const path = join(dir, entry.path)
    mkdirSync(dirname(path), { recursive: true })
    if (entry.kind === 'file') writeFileSync(path, entry.content)
    else symlinkSync(entry.target, path)
  }
  for (const sub of ['facts', 'tmp', 'out']) mkdirSync(join(dir, sub), { recursive: true })
}
