import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Command } from './command.js'

/** util-linux's setpriv, on every Debian and Ubuntu host (and GitHub's runners). */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find(p => existsSync(p)) ?? null

/**
 * The command started so that the kernel kills it when this process dies, even by SIGKILL (the
 * parent-death signal, set by setpriv before it execs the program): a killed run leaves no qemu
 * burning a core and holding its ssh port. Only the command itself gets it, not what it starts; a
 * program run through sudo loses it (the kernel clears it for a setuid exec), which is why the ledger
 * still lists every process. Without setpriv, or when the program is not there to run (whose spawn
 * must still fail with ENOENT, which callers read as "not installed"), the command runs as given.
 */
export function dieWithParent(command: Command, setpriv: string | null = SETPRIV): Command {
  if (setpriv === null || !runnable(command.program, command.env?.PATH ?? process.env.PATH)) return command
  return {
    ...command,
    program: setpriv,
    args: ['--pdeathsig', 'SIGKILL', '--', command.program, ...command.args]
  }
}

function runnable(program: string, path: string | undefined): boolean {
  if (program.includes('/')) return existsSync(program)
  return (path ?? '').split(':').some(dir => dir !== '' && existsSync(join(dir, program)))
}
