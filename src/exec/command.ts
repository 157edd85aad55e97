/**
 * Commands are values: built purely, asserted in tests as exact argv, run by one executor.
 * A shell line exists only where a remote shell needs one (ssh), built through shellQuote.
 */
export interface Command {
  readonly program: string
  readonly args: readonly string[]
  /** Written to the process's stdin, then stdin is closed. */
  readonly input?: string | Buffer
  readonly env?: Readonly<Record<string, string>>
  readonly cwd?: string
}

export function cmd(program: string, ...args: readonly string[]): Command {
  return { program, args }
}

/** POSIX single-quote quoting: safe for any byte string except NUL. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word
  return `'${word.replace(/'/g, `'\\''`)}'`
}

/** The command as one shell line, for ssh and for logs. */
export function shellLine(command: Pick<Command, 'program' | 'args'>): string {
  return [command.program, ...command.args].map(shellQuote).join(' ')
}
