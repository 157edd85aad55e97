import { existsSync } from 'node:fs'
import { shellLine } from '../exec/command.js'
import type { Executor } from '../exec/executor.js'
import { doctorSshCommand, isSshOption } from '../doctor/doctor-target.js'
import { describeChecks } from '../doctor/inspection.js'
import { inspectNodes, type NodeReport } from '../doctor/inspect-nodes.js'
import { resolveTargets, type DoctorNodes } from '../doctor/resolve-targets.js'
import { isOneOf } from '../plan/axes.js'
import { DOCUMENT_FORMATS, type DocumentFormat } from '../report/document-format.js'
import { renderDoctor } from '../report/doctor-report.js'

export interface DoctorIo {
  readonly stdout: NodeJS.WritableStream
  readonly stderr: NodeJS.WritableStream
  readonly exec: Executor
  readonly signal?: AbortSignal
}

/** As diagnose's: 0 every node inspected and nothing predicted, 1 a prediction or a node not inspected, 2 bad input. */
export const DOCTOR_EXIT = { healthy: 0, found: 1, invalid: 2 } as const

export const DOCTOR_USAGE = [
  'Usage: zfs-join-matrix doctor [options] HOST...',
  '       zfs-join-matrix doctor [options] --inventory FILE',
  '',
  'Inspects kubespray nodes over ssh, read-only (nothing is written, started or stopped), and predicts',
  'which ZFS/containerd/kubespray signatures a join of each node will hit, with the fix.',
  'HOST is [user@]host[:port]. --inventory resolves a kubespray inventory with ansible-inventory --list',
  '(its hosts in k8s_cluster, their ansible_host, ansible_port, ansible_user, key, ssh args and a',
  '`bastion` host, as kubespray uses them). Commands run as root, through sudo -n for other users.',
  '',
  'Options:',
  '  --inventory FILE     a kubespray inventory instead of HOSTs',
  '  -i, --identity FILE  the ssh key to log in with',
  '  -o, --ssh-option OPT an ssh -o option (repeatable), e.g. -o StrictHostKeyChecking=accept-new',
  '  --format FMT         text (default), json or markdown',
  '  --print-commands     print the ssh command per node and every check it runs, and run nothing',
  '',
  'Exit status: 0 nothing predicted on any node, 1 a signature predicted or a node not inspected,',
  '2 invalid input.'
].join('\n')

interface DoctorRequest extends DoctorNodes {
  readonly format: DocumentFormat
  readonly printCommands: boolean
}

type Parsed =
  | { readonly kind: 'help' }
  | { readonly kind: 'run'; readonly request: DoctorRequest }
  | { readonly kind: 'invalid'; readonly problem: string }

const VALUED = new Map([
  ['--inventory', 'inventory'],
  ['--identity', 'identity'],
  ['-i', 'identity'],
  ['--ssh-option', 'ssh-option'],
  ['-o', 'ssh-option'],
  ['--format', 'format']
])

export function parseDoctorArgs(argv: readonly string[]): Parsed {
  const hosts: string[] = []
  const sshOptions: string[] = []
  const single = new Map<string, string>()
  let printCommands = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--help' || arg === '-h') return { kind: 'help' }
    if (arg === '--print-commands') {
      printCommands = true
      continue
    }
    const eq = /^(--[a-z-]+)=(.*)$/s.exec(arg)
    const flag = eq?.[1] ?? arg
    const name = VALUED.get(flag)
    if (name !== undefined) {
      const value = eq?.[2] ?? argv[++i]
      if (value === undefined || value === '') return { kind: 'invalid', problem: `${name}: needs a value` }
      if (name === 'ssh-option') {
        if (!isSshOption(value))
          return { kind: 'invalid', problem: `ssh-option: ${JSON.stringify(value)} is not Name=value` }
        sshOptions.push(value)
        continue
      }
      if (single.has(name)) return { kind: 'invalid', problem: `${name}: is given more than once` }
      single.set(name, value)
      continue
    }
    if (arg.startsWith('-')) {
      return {
        kind: 'invalid',
        problem: `${JSON.stringify(arg)} is not a flag of doctor; its flags are --inventory, --identity, --ssh-option, --format, --print-commands`
      }
    }
    hosts.push(arg)
  }
  const format = single.get('format') ?? 'text'
  if (!isOneOf(DOCUMENT_FORMATS, format))
    return {
      kind: 'invalid',
      problem: `format: ${JSON.stringify(format)} is not one of ${DOCUMENT_FORMATS.join(', ')}`
    }
  const inventory = single.get('inventory')
  if (inventory !== undefined && hosts.length > 0)
    return {
      kind: 'invalid',
      problem: `give HOSTs or --inventory, not both (got ${hosts.length} HOST(s) and --inventory ${inventory})`
    }
  if (inventory === undefined && hosts.length === 0)
    return { kind: 'invalid', problem: 'no node given: name HOSTs ([user@]host[:port]) or --inventory FILE' }
  for (const [name, path] of [
    ['inventory', inventory],
    ['identity', single.get('identity')]
  ] as const) {
    if (path !== undefined && !existsSync(path))
      return { kind: 'invalid', problem: `${name}: ${JSON.stringify(path)} does not exist` }
  }
  const identity = single.get('identity')
  return {
    kind: 'run',
    request: {
      hosts,
      ...(inventory === undefined ? {} : { inventory }),
      ...(identity === undefined ? {} : { identity }),
      sshOptions,
      format,
      printCommands
    }
  }
}

function anyFinding(reports: readonly NodeReport[]): boolean {
  return reports.some(r => r.kind === 'unreachable' || r.assessment.predictions.length > 0)
}

/** `zfs-join-matrix doctor`: inspects the nodes, prints the prediction, returns the exit status. */
export async function doctorCli(argv: readonly string[], io: DoctorIo): Promise<number> {
  const parsed = parseDoctorArgs(argv)
  if (parsed.kind === 'help') {
    io.stdout.write(`${DOCTOR_USAGE}\n`)
    return DOCTOR_EXIT.healthy
  }
  if (parsed.kind === 'invalid') {
    io.stderr.write(`error: ${parsed.problem}\nRun 'zfs-join-matrix doctor --help' for its usage.\n`)
    return DOCTOR_EXIT.invalid
  }
  const resolved = await resolveTargets(parsed.request, io.exec)
  if (typeof resolved === 'string') {
    io.stderr.write(`error: ${resolved}\n`)
    return DOCTOR_EXIT.invalid
  }
  if (parsed.request.printCommands) {
    const out = ['# one ssh session per node; the session runs every check below as root, read-only']
    for (const t of resolved.targets) out.push(`# ${t.name}`, shellLine(doctorSshCommand(t, '')))
    for (const u of resolved.unusable) out.push(`# ${u.name}: not inspected: ${u.problem}`)
    out.push('', describeChecks())
    io.stdout.write(`${out.join('\n')}\n`)
    return DOCTOR_EXIT.healthy
  }
  const reports = await inspectNodes(resolved.targets, resolved.unusable, {
    exec: io.exec,
    ...(io.signal === undefined ? {} : { signal: io.signal }),
    onProgress: line => io.stderr.write(`${line}\n`)
  })
  io.stdout.write(renderDoctor(reports, parsed.request.format))
  return anyFinding(reports) ? DOCTOR_EXIT.found : DOCTOR_EXIT.healthy
}
