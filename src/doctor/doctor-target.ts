import { cmd, type Command } from '../exec/command.js'

/**
 * A node doctor logs in to, as the user's own ssh (or kubespray's Ansible) would: the user's
 * ~/.ssh/config, agent and known_hosts apply; only what the host argument or the inventory names is
 * added.
 */
export interface DoctorTarget {
  /** How the node is called in the report: the inventory's host name, or the HOST argument. */
  readonly name: string
  readonly host: string
  readonly user?: string
  readonly port?: number
  readonly identity?: string
  /** `-J` of a bastion, `user@host:port`. */
  readonly jump?: string
  /** Further ssh arguments (`-o Name=value`, the inventory's `ansible_ssh_common_args`). */
  readonly sshArgs: readonly string[]
}

/** A target the inventory names but doctor cannot reach as given; reported with the others. */
export interface UnusableTarget {
  readonly name: string
  readonly problem: string
}

const HOST_ARG = /^(?:([^@\s:]+)@)?(\[[0-9a-fA-F:.]+\]|[^@\s:[\]]+)(?::(\d{1,5}))?$/

/** `[user@]host[:port]` (IPv6 in brackets), or why not. */
export function parseHostArg(arg: string): DoctorTarget | string {
  const m = HOST_ARG.exec(arg)
  if (m === null) return `${JSON.stringify(arg)} is not [user@]host[:port]`
  const port = m[3] === undefined ? undefined : Number(m[3])
  if (port !== undefined && (port < 1 || port > 65535))
    return `${JSON.stringify(arg)}: port ${port} is not 1-65535`
  const host = m[2]!.replace(/^\[(.*)\]$/, '$1')
  return {
    name: arg,
    host,
    ...(m[1] === undefined ? {} : { user: m[1] }),
    ...(port === undefined ? {} : { port }),
    sshArgs: []
  }
}

/** An ssh `-o` option as ssh takes it: `Name=value` or `Name value`, never a flag of its own. */
export function isSshOption(option: string): boolean {
  return /^[A-Za-z]+(\s*=\s*|\s+)\S/.test(option)
}

/** Generous for a node under load; a node that does not answer is reported, not waited for. */
const CONNECT_TIMEOUT_SECONDS = 15

/**
 * The one ssh command doctor runs per node: a POSIX shell reading the inspection script on stdin.
 * BatchMode: a password prompt would hang an unattended run; the user's key or agent is what works.
 */
export function doctorSshCommand(target: DoctorTarget, script: string): Command {
  const destination = target.user === undefined ? target.host : `${target.user}@${target.host}`
  return {
    ...cmd(
      'ssh',
      '-o',
      'BatchMode=yes',
      '-o',
      `ConnectTimeout=${CONNECT_TIMEOUT_SECONDS}`,
      '-o',
      'LogLevel=ERROR',
      ...(target.port === undefined ? [] : ['-p', String(target.port)]),
      ...(target.identity === undefined ? [] : ['-i', target.identity, '-o', 'IdentitiesOnly=yes']),
      ...(target.jump === undefined ? [] : ['-J', target.jump]),
      ...target.sshArgs,
      '--',
      destination,
      'sh -s'
    ),
    input: script
  }
}
