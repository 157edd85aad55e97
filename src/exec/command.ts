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

/**
 * Splits a command line into words as Ansible's `command` module does (POSIX shell rules without
 * expansion: quotes, backslashes, whitespace), so a pull command runs with the argv Ansible would
 * give it. An unterminated quote is an error naming the line.
 */
export function shellSplit(line: string): string[] {
  const words: string[] = []
  let word: string | null = null
  let quote: "'" | '"' | null = null
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote === "'") {
      if (c === "'") quote = null
      else word = (word ?? '') + c
    } else if (quote === '"') {
      if (c === '"') quote = null
      else if (c === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) {
        word = (word ?? '') + line[++i]!
      } else word = (word ?? '') + c
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word)
      word = null
    } else if (c === "'" || c === '"') {
      quote = c
      word ??= ''
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i]
    } else {
      word = (word ?? '') + c
    }
  }
  if (quote !== null) throw new Error(`unterminated ${quote} quote in ${JSON.stringify(line)}`)
  if (word !== null) words.push(word)
  return words
}
