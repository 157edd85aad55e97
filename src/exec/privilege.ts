import type { Command } from './command.js'

/**
 * Runs a command as root: unchanged when we are root (this development host, containers), through
 * `sudo -n` otherwise (GitHub's runners, where the action runs as `runner` with password-less sudo).
 * `-n` makes a missing sudo right fail at once with a message instead of waiting for a password.
 */
export function asRoot(command: Command, uid: number = process.getuid?.() ?? 0): Command {
  if (uid === 0) return command
  const env = Object.entries(command.env ?? {}).map(([k, v]) => `${k}=${v}`)
  return {
    ...command,
    env: undefined,
    program: 'sudo',
    args: ['-n', 'env', ...env, command.program, ...command.args]
  }
}
