import type { Command } from '../src/exec/command.js'
import type { CommandResult, Executor, RunOptions } from '../src/exec/executor.js'
import type { Log } from '../src/log/log.js'

export type Reply = Partial<Omit<CommandResult, 'command'>>

/**
 * An Executor for unit tests of code that builds commands: answers each command through `answer` and
 * records what it was asked to run, with its options. The real executor has its own tests on real processes.
 */
export function fakeExecutor(
  answer: (command: Command) => Reply
): Executor & { calls: [Command, RunOptions | undefined][] } {
  const calls: [Command, RunOptions | undefined][] = []
  return {
    calls,
    run: (command, options) => {
      calls.push([command, options])
      return Promise.resolve({
        command,
        exitCode: 0,
        killedBy: null,
        stdout: '',
        stderr: '',
        durationMs: 5,
        ...answer(command)
      })
    }
  }
}

/** Answers by program name; any other program fails the test. */
export function byProgram(replies: Record<string, Reply>): (command: Command) => Reply {
  return command => {
    const reply = replies[command.program]
    if (reply === undefined) throw new Error(`unexpected command ${command.program}`)
    return reply
  }
}

/** A Log that keeps its lines (`info: …`, `warning: …`) for assertions; groups just run their body. */
export function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    info: m => void lines.push(`info: ${m}`),
    warning: m => void lines.push(`warning: ${m}`),
    error: m => void lines.push(`error: ${m}`),
    group: (_title, body) => body()
  }
}
