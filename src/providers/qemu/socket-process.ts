import { existsSync } from 'node:fs'
import type { Command } from '../../exec/command.js'
import { describeFailure, type CommandResult, type Executor } from '../../exec/executor.js'

/** A long-running process that serves a unix socket (an ssh forward, an ssh master connection). */
export interface SocketProcess {
  /** Settles when the process has ended, for whatever reason. */
  readonly ended: Promise<CommandResult>
  /** Kills the process and waits for it. */
  stop(): Promise<void>
}

/**
 * Starts `command` and resolves once `socketPath` exists; fails with the process's complaint when it
 * ends first, or after `readyMs` (and then kills it). `signal` stops it at any time.
 */
export async function startSocketProcess(
  exec: Executor,
  command: Command,
  socketPath: string,
  what: string,
  readyMs: number,
  signal: AbortSignal
): Promise<SocketProcess> {
  const stopper = new AbortController()
  const ended = exec.run(command, { signal: AbortSignal.any([signal, stopper.signal]) })
  let result: CommandResult | undefined
  void ended.then(r => (result = r))
  const stop = async (): Promise<void> => {
    stopper.abort()
    await ended
  }
  const deadline = Date.now() + readyMs
  while (!existsSync(socketPath)) {
    if (result !== undefined) throw new Error(`${what}: ${describeFailure(result)}`)
    if (Date.now() > deadline || signal.aborted) {
      await stop()
      throw new Error(`${what}: no socket after ${readyMs / 1000}s`)
    }
    await new Promise(r => setTimeout(r, 50))
  }
  return { ended, stop }
}
