import { cmd, shellSplit, type Command } from '../exec/command.js'
import type { DoctorTarget, UnusableTarget } from './doctor-target.js'
import { errorMessage } from '../text/error-message.js'

/**
 * Ansible resolves the inventory (INI, YAML, a directory, a script, group_vars and host_vars), so the
 * nodes, users, ports and keys are the ones the user's kubespray run uses. Run from the caller's
 * directory, so the kubespray checkout's ansible.cfg applies as it does to their playbooks.
 */
export function inventoryCommand(inventory: string): Command {
  return cmd('ansible-inventory', '-i', inventory, '--list')
}

/** kubespray's cluster group; an inventory without it is inspected whole. */
const CLUSTER_GROUP = 'k8s_cluster'
/** kubespray's bastion convention: a host `bastion` in a group `bastion`, ssh'd through for every node. */
const BASTION = 'bastion'

interface InventoryGroup {
  readonly hosts?: readonly string[]
  readonly children?: readonly string[]
}

export interface InventoryTargets {
  readonly targets: readonly DoctorTarget[]
  readonly unusable: readonly UnusableTarget[]
  /** Which group the nodes came from, for the report. */
  readonly group: string
}

/** The nodes of `ansible-inventory --list`'s JSON, or why it has none. */
export function targetsFromInventory(listJson: string): InventoryTargets | string {
  let doc: Record<string, unknown>
  try {
    doc = JSON.parse(listJson) as Record<string, unknown>
  } catch (e) {
    return `ansible-inventory printed no JSON (${errorMessage(e)})`
  }
  const meta = doc._meta as { hostvars?: Record<string, Record<string, unknown>> } | undefined
  const hostvars = meta?.hostvars ?? {}
  const group = CLUSTER_GROUP in doc ? CLUSTER_GROUP : 'all'
  const names = groupHosts(doc as Record<string, InventoryGroup>, group, new Set()).filter(n => n !== BASTION)
  if (names.length === 0) return `the inventory has no hosts in ${group}`
  const bastion = (doc[BASTION] as InventoryGroup | undefined)?.hosts?.includes(BASTION)
    ? hostvars[BASTION]
    : undefined
  const targets: DoctorTarget[] = []
  const unusable: UnusableTarget[] = []
  for (const name of [...new Set(names)]) {
    const t = targetFromVars(name, hostvars[name] ?? {}, bastion)
    if (typeof t === 'string') unusable.push({ name, problem: t })
    else targets.push(t)
  }
  return { targets, unusable, group }
}

function groupHosts(
  doc: Readonly<Record<string, InventoryGroup>>,
  group: string,
  seen: Set<string>
): string[] {
  if (seen.has(group)) return []
  seen.add(group)
  const g = doc[group]
  if (g === undefined) return []
  return [...(g.hosts ?? []), ...(g.children ?? []).flatMap(c => groupHosts(doc, c, seen))]
}

/** The first of Ansible's names for a setting that the host has (the newer name first, as Ansible reads them). */
function setting(vars: Readonly<Record<string, unknown>>, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = vars[n]
    // Ansible's connection settings are scalars; a list or a mapping there is not one doctor can use.
    if (typeof v === 'string' && v !== '') return v
    if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  }
  return undefined
}

function targetFromVars(
  name: string,
  vars: Readonly<Record<string, unknown>>,
  bastion: Readonly<Record<string, unknown>> | undefined
): DoctorTarget | string {
  const values = {
    host: setting(vars, 'ansible_host', 'ansible_ssh_host') ?? name,
    user: setting(vars, 'ansible_user', 'ansible_ssh_user'),
    port: setting(vars, 'ansible_port', 'ansible_ssh_port'),
    identity: setting(vars, 'ansible_ssh_private_key_file', 'ansible_private_key_file'),
    args: [setting(vars, 'ansible_ssh_common_args'), setting(vars, 'ansible_ssh_extra_args')]
      .filter(a => a !== undefined)
      .join(' ')
  }
  // ansible-inventory does not template: a value that still holds Jinja cannot be used as it stands.
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'string' && value.includes('{{'))
      return `its ssh ${key} is templated (${JSON.stringify(value)}); doctor reads the inventory without Jinja: name the node as HOST instead`
  }
  const port = values.port === undefined ? undefined : Number(values.port)
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535))
    return `its ansible_port ${JSON.stringify(values.port)} is not a port`
  let sshArgs: string[]
  try {
    sshArgs = shellSplit(values.args)
  } catch (e) {
    return `its ssh arguments cannot be split: ${errorMessage(e)}`
  }
  const jump = bastion === undefined ? undefined : jumpOf(bastion)
  return {
    name,
    host: values.host,
    ...(values.user === undefined ? {} : { user: values.user }),
    ...(port === undefined ? {} : { port }),
    ...(values.identity === undefined ? {} : { identity: values.identity }),
    ...(jump === undefined ? {} : { jump }),
    sshArgs
  }
}

function jumpOf(vars: Readonly<Record<string, unknown>>): string | undefined {
  const host = setting(vars, 'ansible_host', 'ansible_ssh_host')
  if (host === undefined) return undefined
  const user = setting(vars, 'ansible_user', 'ansible_ssh_user')
  const port = setting(vars, 'ansible_port', 'ansible_ssh_port')
  return `${user === undefined ? '' : `${user}@`}${host}${port === undefined ? '' : `:${port}`}`
}
