import { appendFileSync, writeFileSync } from 'node:fs'
import { shellLine, type Command } from '../exec/command.js'
import type { CommandResult, Executor } from '../exec/executor.js'
import type { Log } from '../log/log.js'

export interface PlaybookStream {
  readonly exec: Executor
  readonly log: Log
  /** The whole output, written as it comes, so a killed run still leaves its log. */
  readonly logFile: string
  readonly signal: AbortSignal
  readonly timeoutMs: number
  /** Only the log file gets the output (a render of many hosts would flood the run's log). */
  readonly quiet?: boolean
}

/**
 * Runs an ansible-playbook command, streaming each complete line to the log (inside the cell's group)
 * and everything to `logFile`. The result is the executor's: a failed play is a result, not a throw.
 */
export async function runPlaybook(command: Command, stream: PlaybookStream): Promise<CommandResult> {
  writeFileSync(stream.logFile, `$ ${shellLine(command)}\n`)
  let pending = ''
  const flush = (final: boolean): void => {
    const lines = pending.split('\n')
    pending = final ? '' : lines.pop()!
    if (stream.quiet === true) return
    for (const line of lines) if (line.trim() !== '') stream.log.info(`  ${line}`)
  }
  const result = await stream.exec.run(command, {
    signal: stream.signal,
    timeoutMs: stream.timeoutMs,
    onOutput: chunk => {
      appendFileSync(stream.logFile, chunk)
      pending += chunk
      flush(false)
    }
  })
  flush(true)
  return result
}
