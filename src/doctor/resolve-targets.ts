import type { Executor } from '../exec/executor.js'
import { parseHostArg, type DoctorTarget, type UnusableTarget } from './doctor-target.js'
import { inventoryCommand, targetsFromInventory } from './inventory-targets.js'

/** Which nodes to inspect and how to log in, as the CLI's arguments or the action's inputs give them. */
export interface DoctorNodes {
  readonly hosts: readonly string[]
  readonly inventory?: string
  readonly identity?: string
  /** ssh `-o` options, `Name=value`. */
  readonly sshOptions: readonly string[]
}

/** The nodes to inspect, from HOSTs or the inventory, with the given key and ssh options added. */
export async function resolveTargets(
  request: DoctorNodes,
  exec: Executor
): Promise<{ targets: DoctorTarget[]; unusable: UnusableTarget[] } | string> {
  const extra = (t: DoctorTarget): DoctorTarget => ({
    ...t,
    ...(request.identity === undefined ? {} : { identity: request.identity }),
    sshArgs: [...t.sshArgs, ...request.sshOptions.flatMap(o => ['-o', o])]
  })
  if (request.inventory === undefined) {
    const targets: DoctorTarget[] = []
    for (const h of request.hosts) {
      const t = parseHostArg(h)
      if (typeof t === 'string') return `HOST: ${t}`
      targets.push(extra(t))
    }
    return { targets, unusable: [] }
  }
  const r = await exec.run(inventoryCommand(request.inventory), { timeoutMs: 120_000 })
  if (r.exitCode !== 0) {
    const why =
      r.exitCode === 127 && /ENOENT/.test(r.stderr)
        ? 'ansible-inventory is not installed (Ansible is needed for --inventory)'
        : r.stderr.trim().split('\n').slice(-3).join(' ')
    return `inventory: ${JSON.stringify(request.inventory)} could not be resolved: ${why || `exit ${r.exitCode}`}`
  }
  const resolved = targetsFromInventory(r.stdout)
  if (typeof resolved === 'string') return `inventory: ${JSON.stringify(request.inventory)}: ${resolved}`
  return { targets: resolved.targets.map(extra), unusable: [...resolved.unusable] }
}
