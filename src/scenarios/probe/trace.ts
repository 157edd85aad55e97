import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cmd, type Command } from '../../exec/command.js'
import type { CommandResult } from '../../exec/executor.js'
import type { Node } from '../../providers/provider.js'
import { stripEscapes } from '../../text/control-chars.js'

const STEP_OUTPUT_LINES = 40

function tail(text: string, lines: number): string {
  const all = text.trimEnd().split('\n')
  return all.length <= lines
    ? all.join('\n')
    : [`[… ${all.length - lines} earlier lines]`, ...all.slice(-lines)].join('\n')
}

/**
 * The stages of a probe cell whose time the profile reports (bench/probe.json): where a cell's seconds
 * go, so that work on the probe's speed starts from a measurement.
 */
export const PROBE_STEPS = [
  'zfs-reset',
  'containerd-start',
  'tool-version',
  'cri-connect',
  'pull',
  'unpack-check',
  'sandbox',
  'create',
  'start',
  'exit',
  'log-collection'
] as const
export type ProbeStep = (typeof PROBE_STEPS)[number]

/** The file beside steps.log with each stage's seconds, in the order run. */
export const TIMINGS_FILE = 'timings.json'

export interface StepTiming {
  readonly step: ProbeStep
  readonly seconds: number
}

interface Since {
  readonly uptime: number
  readonly epoch: number
}

export function parseSince(stdout: string): Since | undefined {
  const uptime = /^since_uptime=([\d.]+)$/m.exec(stdout)?.[1]
  const epoch = /^since_epoch=(\d+)$/m.exec(stdout)?.[1]
  return uptime === undefined || epoch === undefined
    ? undefined
    : { uptime: Number(uptime), epoch: Number(epoch) }
}

/**
 * The attempt's record: each step's command, output and time in `steps.log`, and at the end the
 * containerd journal and the kernel log lines of this cell, written next to it.
 */
export class Trace {
  since: Since | undefined
  private readonly lines: string[] = []
  private readonly files: string[] = []
  private readonly timings: StepTiming[] = []

  constructor(private readonly dir: string) {}

  /** Runs one stage of the cell and records its seconds, whether it succeeds or throws. */
  async time<T>(step: ProbeStep, body: () => Promise<T>): Promise<T> {
    const started = performance.now()
    try {
      return await body()
    } finally {
      this.timings.push({ step, seconds: Math.round(performance.now() - started) / 1000 })
    }
  }

  note(step: string, text: string): void {
    this.lines.push(`[${new Date().toISOString()}] ${step}: ${text}`)
  }

  async step(name: string, node: Node, script: string, signal: AbortSignal): Promise<CommandResult> {
    return this.run(name, node, { ...cmd('sh', '-s'), input: script }, signal, 5 * 60_000)
  }

  async run(
    name: string,
    node: Node,
    command: Command,
    signal: AbortSignal,
    timeoutMs: number
  ): Promise<CommandResult> {
    const r = await node.exec(command, { signal, timeoutMs })
    const shown = command.input === undefined ? [command.program, ...command.args].join(' ') : 'sh -s'
    this.note(
      name,
      `$ ${shown} → exit ${r.exitCode ?? r.killedBy ?? 'none'} in ${(r.durationMs / 1000).toFixed(1)}s`
    )
    const output = tail(stripEscapes(`${r.stdout}${r.stderr}`), STEP_OUTPUT_LINES)
    if (output !== '') this.lines.push(output.replace(/^/gm, '    '))
    return r
  }

  write(name: string, text: string): void {
    const path = join(this.dir, name)
    writeFileSync(path, text.endsWith('\n') ? text : `${text}\n`)
    this.files.push(path)
  }

  /** Kernel log lines printed since containerd was started for this cell. */
  async kernelLines(node: Node, signal: AbortSignal): Promise<string> {
    if (signal.aborted) return ''
    const text = await node.kernelLog().catch((e: Error) => `(kernel log unavailable: ${e.message})`)
    return linesSince(text, this.since?.uptime ?? 0)
  }

  /** Writes kernel.log, containerd.log, steps.log and timings.json; returns every log path of the attempt. */
  async collect(node: Node, signal: AbortSignal): Promise<string[]> {
    await this.time('log-collection', () => this.collectNodeLogs(node, signal))
    this.write('steps.log', this.lines.join('\n'))
    this.write(TIMINGS_FILE, JSON.stringify(this.timings, null, 1))
    return [...this.files]
  }

  private async collectNodeLogs(node: Node, signal: AbortSignal): Promise<void> {
    if (!signal.aborted) {
      this.write('kernel.log', await this.kernelLines(node, signal))
      const since = this.since === undefined ? '-b' : `--since=@${this.since.epoch}`
      const journal = await node.exec(
        cmd('journalctl', '-u', 'containerd', since, '-o', 'short-precise', '--no-pager'),
        { timeoutMs: 30_000 }
      )
      this.write('containerd.log', journal.stdout)
    }
  }
}

/** Kernel log lines stamped at or after `uptime`; an unstamped line goes with the line before it. */
export function linesSince(dmesg: string, uptime: number): string {
  let keep = false
  return dmesg
    .split('\n')
    .filter(line => {
      const t = /^\[\s*([\d.]+)\]/.exec(line)?.[1]
      if (t !== undefined) keep = Number(t) >= uptime
      return keep
    })
    .join('\n')
}
