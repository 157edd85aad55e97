import { join } from 'node:path'
import { cmd, shellLine, type Command } from '../../exec/command.js'

export interface SshTarget {
  readonly port: number
  readonly identity: string
  /**
   * The socket of the node's master connection. Commands open a channel on it instead of a connection
   * of their own (key exchange, login and a PAM session cost about a second under TCG; a channel about
   * 0.1 s); when it is gone, ssh connects on its own as without it.
   */
  readonly controlPath?: string
}

/** Test VMs get new host keys per image and are reached only on 127.0.0.1: host key checks add nothing. */
function options(target: SshTarget, connectTimeoutSeconds: number): string[] {
  const multiplexed =
    target.controlPath === undefined
      ? []
      : ['-o', `ControlPath=${target.controlPath}`, '-o', 'ControlMaster=no']
  return [
    ...multiplexed,
    '-i',
    target.identity,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${connectTimeoutSeconds}`,
    '-o',
    'ServerAliveInterval=10',
    '-o',
    'ServerAliveCountMax=6'
  ]
}

/** Runs `remote` on the guest as root; the remote shell receives one quoted line. */
export function sshCommand(
  target: SshTarget,
  remote: Pick<Command, 'program' | 'args'>,
  connectTimeoutSeconds = 10
): Command {
  return cmd(
    'ssh',
    ...options(target, connectTimeoutSeconds),
    '-p',
    String(target.port),
    'root@127.0.0.1',
    '--',
    shellLine(remote)
  )
}

/** The target reached by a connection of its own, not by a channel on the node's master connection. */
export function ownConnection(target: SshTarget): SshTarget {
  return { port: target.port, identity: target.identity }
}

/** An ssh that runs no command and stays in the foreground until killed, with `settings` (`-o …`, `-L …`). */
function standing(target: SshTarget, settings: readonly string[]): Command {
  return cmd(
    'ssh',
    ...options(ownConnection(target), 10),
    '-N',
    ...settings,
    '-p',
    String(target.port),
    'root@127.0.0.1'
  )
}

/**
 * Forwards a local unix socket to one on the guest until killed; fails at once when the local socket
 * cannot be bound, instead of running without the forward. A connection of its own: through a master,
 * the forward would be the master's and this ssh would exit at once, leaving nothing to stop it with.
 */
export function sshForwardCommand(target: SshTarget, localPath: string, remotePath: string): Command {
  return standing(target, [
    '-o',
    'ExitOnForwardFailure=yes',
    '-o',
    'StreamLocalBindUnlink=yes',
    '-L',
    `${localPath}:${remotePath}`
  ])
}

/**
 * The master connection other commands share (the node stops it; it dies with the run like every
 * process the executor starts). ServerAlive ends it when the guest stops answering, and commands then
 * connect on their own again.
 */
export function sshMasterCommand(target: SshTarget, controlPath: string): Command {
  return standing(target, [
    '-o',
    'ControlMaster=yes',
    '-o',
    `ControlPath=${controlPath}`,
    '-o',
    'ControlPersist=no'
  ])
}

export function scpToCommand(target: SshTarget, local: string, remote: string): Command {
  return scp(target, local, `root@127.0.0.1:${remote}`)
}

export function scpFromCommand(target: SshTarget, remote: string, local: string): Command {
  return scp(target, `root@127.0.0.1:${remote}`, local)
}

function scp(target: SshTarget, source: string, destination: string): Command {
  return cmd('scp', ...options(target, 10), '-q', '-P', String(target.port), source, destination)
}

/** A per-run ed25519 key pair in `dir`; never reused across runs. */
export function keygenCommand(dir: string): Command {
  return cmd(
    'ssh-keygen',
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    'zfs-join-matrix',
    '-f',
    join(dir, 'id_ed25519')
  )
}
