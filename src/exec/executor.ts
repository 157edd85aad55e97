import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { shellLine, type Command } from './command.js'
import { dieWithParent } from './die-with-parent.js'

export interface RunOptions {
  /** Kills the process (and its process group) after this long; the result says it timed out. */
  readonly timeoutMs?: number
  /** Kills the process when aborted (cell timeout, cancel). */
  readonly signal?: AbortSignal
  /** Streams output as it comes (Ansible logs, build progress). */
  readonly onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void
}

export interface CommandResult {
  readonly command: Command
  /** null when the process was killed by a signal. */
  readonly exitCode: number | null
  readonly killedBy: 'timeout' | 'abort' | null
  readonly stdout: string
  readonly stderr: string
  readonly durationMs: number
}

/** A failed command with its stderr, so the classifier and the user see why, not just "exit code 1". */
export class CommandError extends Error {
  constructor(readonly result: CommandResult) {
    super(describeFailure(result))
    this.name = 'CommandError'
  }
}

export function describeFailure(r: CommandResult): string {
  const how =
    r.killedBy === 'timeout'
      ? `timed out after ${Math.round(r.durationMs / 1000)}s`
      : r.killedBy === 'abort'
        ? 'was cancelled'
        : `failed with exit code ${r.exitCode ?? 'none (killed by a signal)'}`
  return `${shortLine(r.command)} ${how}${failureTail(r)}`
}

/**
 * The last lines of stderr, led by stdout's last lines when stderr says too little to act on: apt's
 * stderr is "E: Sub-process /usr/bin/dpkg returned an error code (1)", the package that failed and why
 * are on its stdout.
 */
function failureTail(r: CommandResult): string {
  const stderr = lastLines(r.stderr, 12)
  const lines = stderr === '' ? 0 : stderr.split('\n').length
  const stdout = lines >= 4 ? '' : lastLines(r.stdout, 12 - lines)
  const tail = [stdout, stderr].filter(t => t.trim() !== '').join('\n')
  return tail === '' ? '' : `:\n${tail}`
}

/**
 * Runs commands; this module is the one place processes are started: `run` for commands the caller
 * waits for, `runSync` where nothing can be awaited, `startLongLived` for processes that outlive the call.
 */
export interface Executor {
  /** Never throws for a non-zero exit: expected failures are ordinary results. */
  run(command: Command, options?: RunOptions): Promise<CommandResult>
}

/** Runs the command and throws CommandError unless it exits 0. */
export async function check(
  executor: Executor,
  command: Command,
  options?: RunOptions
): Promise<CommandResult> {
  const result = await executor.run(command, options)
  if (result.exitCode !== 0) throw new CommandError(result)
  return result
}

/** Output beyond this is dropped from the middle; the head and the tail are what diagnosis reads. */
const MAX_CAPTURE = 8 * 1024 * 1024
const KILL_GRACE_MS = 3000

export const processExecutor: Executor = {
  run: (command, options = {}) =>
    new Promise(resolve => {
      const started = Date.now()
      const spawned = dieWithParent(command)
      const child = spawn(spawned.program, [...spawned.args], {
        cwd: command.cwd,
        env: command.env === undefined ? process.env : { ...process.env, ...command.env },
        // Own process group, so a timeout kills what the command started too (qemu-img under a script, …).
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe']
      })
      const out = new Capture()
      const err = new Capture()
      let killedBy: CommandResult['killedBy'] = null
      let settled = false
      const kill = (why: 'timeout' | 'abort'): void => {
        if (killedBy !== null || child.pid === undefined) return
        killedBy = why
        signalGroup(child.pid, 'SIGTERM')
        setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), KILL_GRACE_MS).unref()
      }
      const timer =
        options.timeoutMs === undefined ? undefined : setTimeout(() => kill('timeout'), options.timeoutMs)
      const onAbort = (): void => kill('abort')
      if (options.signal?.aborted) onAbort()
      options.signal?.addEventListener('abort', onAbort, { once: true })

      child.stdout.on('data', (b: Buffer) => {
        out.add(b)
        options.onOutput?.(b.toString('utf8'), 'stdout')
      })
      child.stderr.on('data', (b: Buffer) => {
        err.add(b)
        options.onOutput?.(b.toString('utf8'), 'stderr')
      })
      const finish = (exitCode: number | null, spawnError?: Error): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        options.signal?.removeEventListener('abort', onAbort)
        resolve({
          command,
          exitCode,
          killedBy,
          stdout: out.text(),
          stderr: spawnError === undefined ? err.text() : `${err.text()}${spawnError.message}\n`,
          durationMs: Date.now() - started
        })
      }
      // A missing program is an ordinary failed result (127, like a shell), carrying the reason in stderr.
      child.on('error', e => finish(127, e))
      child.on('close', code => finish(code))
      child.stdin.on('error', () => undefined)
      child.stdin.end(command.input ?? '')
    })
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // Already gone.
  }
}

class Capture {
  private head: Buffer[] = []
  private size = 0
  private tail: Buffer[] = []
  private tailSize = 0
  private dropped = 0

  add(b: Buffer): void {
    if (this.size + b.length <= MAX_CAPTURE / 2) {
      this.head.push(b)
      this.size += b.length
      return
    }
    this.tail.push(b)
    this.tailSize += b.length
    while (this.tailSize > MAX_CAPTURE / 2 && this.tail.length > 1) {
      const first = this.tail.shift()!
      this.tailSize -= first.length
      this.dropped += first.length
    }
  }

  text(): string {
    const head = Buffer.concat(this.head).toString('utf8')
    const tail = Buffer.concat(this.tail).toString('utf8')
    return this.dropped > 0 ? `${head}\n[… ${this.dropped} bytes dropped …]\n${tail}` : head + tail
  }
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n')
}

/** Long command lines keep their head and their tail: the subcommand and its operands are usually last. */
function shortLine(command: Command): string {
  const line = shellLine(command)
  return line.length > 240 ? `${line.slice(0, 100)} … ${line.slice(-130)}` : line
}

/**
 * A command run to its end synchronously: for the cleanup that runs where nothing can be awaited (the
 * ledger's sweep in exit handlers and the post step). stderr is kept, as `run` keeps it.
 */
export function runSync(command: Command): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command.program, [...command.args], { encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') }
}

/**
 * A long-lived process (qemu) that dies with this one even on SIGKILL (setpriv's parent-death signal),
 * in a process group of its own, stdout dropped and stderr piped for the caller to keep.
 */
export function startLongLived(command: Command): ChildProcess {
  const spawned = dieWithParent(command)
  return spawn(spawned.program, [...spawned.args], { stdio: ['ignore', 'ignore', 'pipe'], detached: true })
}
