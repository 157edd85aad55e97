/**
 * Where progress goes: the Actions log (with a collapsible group per cell) or a terminal.
 * Scenarios and the runner only see this interface.
 */
export interface Log {
  info(message: string): void
  warning(message: string): void
  error(message: string): void
  group<T>(title: string, body: () => Promise<T>): Promise<T>
}

/** Terminal output for the CLI: progress on stderr so stdout stays clean for `plan`'s JSON. */
export function consoleLog(stream: NodeJS.WritableStream = process.stderr): Log {
  const write = (line: string): void => void stream.write(`${line}\n`)
  return {
    info: write,
    warning: m => write(`warning: ${m}`),
    error: m => write(`error: ${m}`),
    // The runner prints a progress line when the cell ends; a terminal needs no group header.
    group: (_title, body) => body()
  }
}
