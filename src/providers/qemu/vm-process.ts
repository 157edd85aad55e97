import type { ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import type { Command } from '../../exec/command.js'
import { startLongLived } from '../../exec/executor.js'
import type { HostContext } from '../../host/context.js'
import type { Resource } from '../../cleanup/ledger.js'

export interface Exit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stderr: string
}

/**
 * A running qemu. Long-lived, so it is started with the executor's `startLongLived` (its `run` waits
 * for commands to end); it is written to the cleanup ledger before anything else can fail.
 */
export class VmProcess {
  /** Resolves when qemu ends, however it ends; never rejects. */
  readonly exited: Promise<Exit>
  private exit: Exit | undefined
  private readonly resource: Resource

  private constructor(
    private readonly child: ChildProcess,
    readonly serialLog: string,
    private readonly ctx: HostContext,
    name: string
  ) {
    let stderr = ''
    child.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString('utf8')).slice(-8192)))
    this.exited = new Promise(resolve => {
      child.once('error', e => (stderr += `${e.message}\n`))
      child.once('close', (code, signal) => {
        this.exit = { code, signal, stderr }
        resolve(this.exit)
      })
    })
    this.resource = { kind: 'process', pid: child.pid ?? -1, match: name }
    ctx.ledger.add(this.resource)
  }

  static start(command: Command, name: string, serialLog: string, ctx: HostContext): VmProcess {
    // qemu dies with the run, even a SIGKILLed one; the ledger entry covers hosts without setpriv.
    return new VmProcess(startLongLived(command), serialLog, ctx, name)
  }

  get running(): boolean {
    return this.exit === undefined
  }

  /**
   * Whether qemu runs, is stopped (SIGSTOP, a debugger: state T in /proc), or ended: a guest that stops
   * answering is told apart from one that is only slow.
   */
  state(): 'running' | 'stopped' | 'ended' {
    if (!this.running || this.child.pid === undefined) return 'ended'
    try {
      const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8')
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
      return state === 'T' || state === 't' ? 'stopped' : state === 'Z' || state === 'X' ? 'ended' : 'running'
    } catch {
      return 'ended'
    }
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  /** The last lines of the serial console: what a failed boot is diagnosed from. */
  serialTail(lines = 25): string {
    if (!existsSync(this.serialLog)) return '(no serial output)'
    return readFileSync(this.serialLog, 'utf8')
      .replace(/\r/g, '')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .join('\n')
  }

  /** Stops qemu: SIGTERM, then SIGKILL if it has not ended within the grace period. */
  async stop(graceMs = 5000): Promise<Exit> {
    if (this.running && this.child.pid !== undefined) {
      try {
        process.kill(this.child.pid, 'SIGTERM')
      } catch {
        // Already gone.
      }
      const timer = setTimeout(() => {
        try {
          process.kill(this.child.pid!, 'SIGKILL')
        } catch {
          // Already gone.
        }
      }, graceMs)
      await this.exited
      clearTimeout(timer)
    }
    this.ctx.ledger.remove(this.resource)
    return this.exited
  }
}
