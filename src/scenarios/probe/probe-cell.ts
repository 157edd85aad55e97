import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import type { Evidence } from '../../diagnose/classify.js'
import { cmd, shellLine, shellQuote, type Command } from '../../exec/command.js'
import type { CommandResult } from '../../exec/executor.js'
import { SNAPSHOTTERS, type Snapshotter } from '../../plan/axes.js'
import type { NodeVersions } from '../../results/cell-result.js'
import type { Node } from '../../providers/provider.js'
import type { Attempt, AttemptContext, Verdict } from '../scenario.js'
import { sourceText, type CellConfig } from './cell-config.js'
import { CONTAINER_SCRIPT, containerOutput, failedChecks } from './container-check.js'
import { CriClient, CriError, type ContainerStatus, type PodSandboxConfig } from './cri-client.js'
import type { CriProtos } from './cri-api.js'
import { versionCommand } from './image-tools.js'
import type { ContainerdSeries, NodeFile } from './node-config.js'

/** What every cell on one node shares: set up once per image by the probe scenario. */
export interface ProbeNode {
  readonly node: Node
  readonly facts: NodeVersions
  readonly containerd: ContainerdSeries
  /** Host path of a unix socket forwarded to the node's containerd socket. */
  readonly criSocket: string
  readonly criProtos: CriProtos
  readonly probeImage: ProbeImage
  readonly sandboxImage: string
  readonly registry: string
  /** How the crictl cells pull: the real crictl, or the CRI client with the reason crictl is not used. */
  readonly crictl: { readonly kind: 'crictl' } | { readonly kind: 'cri-client'; readonly reason: string }
  /** The snapshotters this containerd has built in (Debian's containerd 2.x leaves zfs out). */
  readonly snapshotters: readonly Snapshotter[]
}

export interface ProbeImage {
  readonly reference: string
  /** containerd's name for the image's top snapshot: where a snapshotter holds the unpacked image. */
  readonly topChainId: string
}

const CONTAINERD_READY_S = 60
const PULL_TIMEOUT_MS = 5 * 60_000
const CRI_TIMEOUT_MS = 3 * 60_000
const CONTAINER_EXIT_MS = 90_000
const LOG_DIR = '/var/log/zjm-pods'

/** What a probe cell saw, for the scenario to judge beside the verdict (lint's prediction). */
export interface ProbeRun {
  readonly attempt: Attempt
  /** Which snapshotters held the image after the pull; null when the pull did not succeed. */
  readonly unpacked: readonly Snapshotter[] | null
}

/**
 * One probe cell: containerd reset and configured with the cell's files (the checkout's, rendered by
 * Ansible, or the model's without a checkout), the test image pulled with the cell's pull command as
 * the checkout runs it, a container run from it through the CRI as kubelet would, and inside it a
 * lower-layer file renamed. A `fail` is the node failing; an `error` is the probe itself failing
 * (registry, containerd start, ssh).
 */
export async function runProbeCell(
  env: ProbeNode,
  config: CellConfig,
  ctx: AttemptContext
): Promise<ProbeRun> {
  const trace = new Trace(ctx.logDir)
  const versions: NodeVersions = { ...env.facts }
  const notes = configNotes(env, config)
  const records = writeRecord(ctx.logDir, config)
  let unpacked: readonly Snapshotter[] | null = null
  const finish = async (verdict: Verdict, tool?: string): Promise<ProbeRun> => {
    const logs = await trace.collect(env.node, ctx.signal)
    return {
      attempt: {
        verdict,
        versions: tool === undefined ? versions : { ...versions, tool },
        logs: [...records, ...logs],
        ...(notes.length > 0 ? { notes } : {})
      },
      unpacked
    }
  }

  await env.node.reset()
  const started = await trace.step(
    'start containerd',
    env.node,
    startContainerdScript(config.files),
    ctx.signal
  )
  if (started.exitCode !== 0) {
    return finish(harness('containerd did not start with the rendered config', started))
  }
  trace.since = parseSince(started.stdout)

  const tool = await toolVersion(env, config, ctx.signal)
  // One connection serves the whole cell: the crictl stand-in's pull and kubelet's pod and container.
  const connected = await connect(env, trace)
  if (connected.kind === 'failed') return finish(connected.verdict, tool)
  try {
    const pulled = await pull(env, config, connected.cri, trace, ctx.signal)
    if (pulled.kind !== 'ok') return await finish(pulled.verdict, tool)
    unpacked = await unpackedSnapshotters(env, trace, ctx.signal)
    return await finish(await runImage(env, config, connected.cri, trace, unpacked, ctx.signal), tool)
  } finally {
    connected.cri.close()
  }
}

/** What the matrix cell itself must say of this cell's configuration. */
function configNotes(env: ProbeNode, config: CellConfig): string[] {
  const notes: string[] = []
  if (config.source.kind === 'model') notes.push(sourceText(config.source))
  if (config.pullTool === 'crictl' && env.crictl.kind === 'cri-client') {
    notes.push(
      `crictl stood in for by the project's CRI client (the same PullImage call): ${env.crictl.reason}`
    )
  }
  return notes
}

async function runImage(
  env: ProbeNode,
  config: CellConfig,
  cri: CriClient,
  trace: Trace,
  unpacked: readonly Snapshotter[],
  signal: AbortSignal
): Promise<Verdict> {
  const mismatch = mismatchLine(config, env.probeImage.reference, unpacked)
  const ran = await runThroughCri(env, cri, trace, signal)
  if (ran.kind !== 'ok') return withMismatch(ran.verdict, mismatch)
  if (mismatch !== undefined) {
    return {
      kind: 'fail',
      message: `${mismatch}: the image tool and kubelet use different snapshotters (the container itself ran)`,
      evidence: [{ source: 'snapshots', text: mismatch }]
    }
  }
  return { kind: 'pass' }
}

/**
 * The cell's configuration as it reached the node, kept next to its other logs: the files as
 * rendered (`rendered/…`), the overlays and their diff, the pull as evaluated and as run.
 */
function writeRecord(dir: string, config: CellConfig): string[] {
  const paths: string[] = []
  for (const file of config.record.rendered) {
    const path = join(dir, 'rendered', file.path)
    mkdirSync(posix.dirname(path), { recursive: true })
    writeFileSync(path, file.content)
    paths.push(path)
  }
  const overlays = config.record.overlays.map(o => `# ${o.target}: ${o.why}`).join('\n')
  const diff = join(dir, 'overlays.diff')
  writeFileSync(
    diff,
    `# ${sourceText(config.source)}\n${overlays === '' ? '# no overlays' : overlays}\n${config.record.diff}`
  )
  const pull = join(dir, 'pull.txt')
  writeFileSync(pull, `evaluated: ${config.record.evaluatedPull}\nrun:       ${shellLine(config.pull)}\n`)
  return [...paths, diff, pull]
}

type StepResult = { kind: 'ok' } | { kind: 'failed'; verdict: Verdict }

/**
 * A failed run keeps the mismatch as evidence: the CRI unpacking again into its own snapshotter can be
 * what failed. The Z signatures come first in the catalogue, so they still win when they match.
 */
function withMismatch(verdict: Verdict, mismatch: string | undefined): Verdict {
  if (mismatch === undefined || (verdict.kind !== 'fail' && verdict.kind !== 'error')) return verdict
  return { ...verdict, evidence: [...verdict.evidence, { source: 'snapshots', text: mismatch }] }
}

/** Writes the cell's configuration, starts containerd and waits until it answers. */
function startContainerdScript(files: readonly NodeFile[]): string {
  // Byte for byte, through base64: a rendered file may end without a newline (cri-base.json does).
  const writes = files.map(
    f =>
      `mkdir -p ${shellQuote(posix.dirname(f.path))}\necho ${Buffer.from(f.content).toString('base64')} | base64 -d > ${shellQuote(f.path)}`
  )
  return [
    'set -eu',
    `rm -rf /etc/containerd/certs.d /etc/containerd/config.toml /etc/nerdctl /etc/crictl.yaml ${LOG_DIR}`,
    ...writes,
    'echo "since_uptime=$(cut -d" " -f1 /proc/uptime)"',
    'echo "since_epoch=$(date +%s)"',
    'systemctl start containerd.service',
    `i=0; until ctr version >/dev/null 2>&1; do i=$((i+1)); [ $i -lt ${CONTAINERD_READY_S * 2} ] || { journalctl -u containerd -n 40 --no-pager >&2; exit 1; }; sleep 0.5; done`
  ].join('\n')
}

async function toolVersion(env: ProbeNode, config: CellConfig, signal: AbortSignal): Promise<string> {
  const tool = config.pullTool
  if (tool === null) return `${config.pull.program} (not a tool the probe knows)`
  if (tool === 'crictl' && env.crictl.kind === 'cri-client') {
    return `zjm CRI client (CRI API ${env.criProtos.version}); crictl not used: ${env.crictl.reason}`
  }
  const r = await env.node.exec(versionCommand(tool), { signal, timeoutMs: 30_000 })
  return r.exitCode === 0 ? r.stdout.trim().split('\n')[0]! : `${tool} (version unknown)`
}

/** The cell's pull; for crictl without crictl, the same CRI PullImage call crictl makes. */
async function pull(
  env: ProbeNode,
  config: CellConfig,
  cri: CriClient,
  trace: Trace,
  signal: AbortSignal
): Promise<StepResult> {
  const reference = env.probeImage.reference
  if (config.pullTool === 'crictl' && env.crictl.kind === 'cri-client') {
    try {
      const ref = await cri.pullImage(reference, PULL_TIMEOUT_MS)
      trace.note('pull', `CRI PullImage ${reference} → ${ref}`)
      return { kind: 'ok' }
    } catch (e) {
      trace.note('pull', `CRI PullImage ${reference}: ${(e as Error).message}`)
      const kernel = await trace.kernelLines(env.node, signal)
      return { kind: 'failed', verdict: pullFailure('the CRI pull', (e as Error).message, kernel) }
    }
  }
  const r = await trace.run('pull', env.node, config.pull, signal, PULL_TIMEOUT_MS)
  if (r.exitCode === 0) return { kind: 'ok' }
  const kernel = await trace.kernelLines(env.node, signal)
  const what = `${config.pullTool ?? posix.basename(config.pull.program)} pull`
  return { kind: 'failed', verdict: pullFailure(what, `${r.stdout}\n${r.stderr}`, kernel) }
}

/** A pull that could not reach the probe's own registry is the probe's failure, not the node's. */
const REGISTRY_UNREACHABLE =
  /server gave HTTP response to HTTPS client|connect: connection refused|no such host|i\/o timeout/

function pullFailure(what: string, output: string, kernel: string): Verdict {
  const evidence: Evidence[] = [
    { source: 'pull', text: output },
    { source: 'kernel', text: kernel }
  ]
  const last = lastMeaningfulLine(output)
  if (REGISTRY_UNREACHABLE.test(output)) {
    return { kind: 'error', message: `${what} could not reach the test registry: ${last}`, evidence }
  }
  return { kind: 'fail', message: `${what} failed: ${last}`, evidence }
}

/** Which snapshotters hold the image's top snapshot after the pull. */
async function unpackedSnapshotters(
  env: ProbeNode,
  trace: Trace,
  signal: AbortSignal
): Promise<Snapshotter[]> {
  const script = SNAPSHOTTERS.map(
    s =>
      `ctr -n k8s.io snapshots --snapshotter ${s} info ${env.probeImage.topChainId} >/dev/null 2>&1 && echo unpacked=${s} || true`
  ).join('\n')
  const r = await trace.step('where the image was unpacked', env.node, script, signal)
  return SNAPSHOTTERS.filter(s => r.stdout.split('\n').includes(`unpacked=${s}`))
}

/**
 * The line the S2 signature matches, when the pull left the image unpacked for another snapshotter
 * than the one the rendered config gives the CRI (kubelet would unpack it again, or not find it).
 * Both sides are what the node shows: where the image is, and what containerd's config says.
 */
export function mismatchLine(
  config: Pick<CellConfig, 'criSnapshotter' | 'pullTool' | 'pull'>,
  reference: string,
  unpacked: readonly Snapshotter[]
): string | undefined {
  if (unpacked.length === 0 || unpacked.some(s => s === config.criSnapshotter)) return undefined
  const tool = config.pullTool ?? posix.basename(config.pull.program)
  return `${tool} pulled ${reference} unpacked for snapshotter ${unpacked.join('+')} but the CRI uses ${config.criSnapshotter}`
}

type Connected = { kind: 'ok'; cri: CriClient } | { kind: 'failed'; verdict: Verdict }

async function connect(env: ProbeNode, trace: Trace): Promise<Connected> {
  try {
    const cri = await CriClient.connect(env.criSocket, env.criProtos)
    trace.note('cri', `connected, CRI API ${cri.apiVersion}`)
    return { kind: 'ok', cri }
  } catch (e) {
    trace.note('cri', (e as Error).message)
    return {
      kind: 'failed',
      verdict: { kind: 'error', message: (e as Error).message, evidence: [] }
    }
  }
}

/** What kubelet does for a pod with one container, then the container's verdict on the checks. */
async function runThroughCri(
  env: ProbeNode,
  cri: CriClient,
  trace: Trace,
  signal: AbortSignal
): Promise<StepResult> {
  const uid = randomBytes(6).toString('hex')
  const sandbox: PodSandboxConfig = {
    metadata: { name: 'zjm-probe', uid, namespace: 'zjm', attempt: 0 },
    log_directory: `${LOG_DIR}/${uid}`,
    linux: { security_context: { namespace_options: { network: 'NODE' } } }
  }
  let sandboxId: string | undefined
  try {
    const step = async <T>(name: string, call: () => Promise<T>): Promise<T> => {
      try {
        const value = await call()
        trace.note('cri', `${name}: ok`)
        return value
      } catch (e) {
        trace.note('cri', `${name}: ${(e as Error).message}`)
        throw e
      }
    }
    sandboxId = await step('RunPodSandbox', () => cri.runPodSandbox(sandbox, CRI_TIMEOUT_MS))
    const id = sandboxId
    const containerId = await step('CreateContainer', () =>
      cri.createContainer(
        id,
        {
          metadata: { name: 'probe', attempt: 0 },
          image: { image: env.probeImage.reference },
          command: ['/bin/sh', '-c', CONTAINER_SCRIPT],
          log_path: 'probe.log'
        },
        sandbox,
        CRI_TIMEOUT_MS
      )
    )
    await step('StartContainer', () => cri.startContainer(containerId, CRI_TIMEOUT_MS))
    const status = await waitForExit(cri, containerId, signal)
    trace.note('cri', `container ${status.state} exit ${status.exit_code} ${status.reason} ${status.message}`)
    const log = await env.node.exec(cmd('cat', `${LOG_DIR}/${uid}/probe.log`), { signal })
    const output = containerOutput(log.stdout)
    trace.write('container.log', output)
    const failed = failedChecks(output)
    if (status.state !== 'CONTAINER_EXITED') {
      return {
        kind: 'failed',
        verdict: {
          kind: 'fail',
          message: `the container did not exit within ${CONTAINER_EXIT_MS / 1000}s (${status.state})`,
          evidence: [{ source: 'container', text: output }]
        }
      }
    }
    const first = failed[0]
    if (first === undefined) return { kind: 'ok' }
    return {
      kind: 'failed',
      verdict: {
        kind: 'fail',
        message: `in the container, ${first.what} failed: ${firstComplaint(output)}`,
        evidence: [
          { source: 'container', text: output },
          { source: 'kernel', text: await trace.kernelLines(env.node, signal) }
        ]
      }
    }
  } catch (e) {
    if (!(e instanceof CriError)) throw e
    // The CRI refusing to create or start the container is the node failing (overlayfs mount on 2.0).
    return {
      kind: 'failed',
      verdict: {
        kind: 'fail',
        message: e.message,
        evidence: [
          { source: 'cri', text: e.message },
          { source: 'kernel', text: await trace.kernelLines(env.node, signal) }
        ]
      }
    }
  } finally {
    if (sandboxId !== undefined) {
      const id = sandboxId
      await cri.stopPodSandbox(id).catch((e: Error) => trace.note('cri', `StopPodSandbox: ${e.message}`))
      await cri.removePodSandbox(id).catch((e: Error) => trace.note('cri', `RemovePodSandbox: ${e.message}`))
    }
  }
}

async function waitForExit(
  cri: CriClient,
  containerId: string,
  signal: AbortSignal
): Promise<ContainerStatus> {
  const deadline = Date.now() + CONTAINER_EXIT_MS
  for (;;) {
    const status = await cri.containerStatus(containerId)
    if (status.state === 'CONTAINER_EXITED' || Date.now() > deadline || signal.aborted) return status
    await new Promise(r => setTimeout(r, 250))
  }
}

function harness(what: string, r: CommandResult): Verdict {
  return {
    kind: 'error',
    message: `${what}: ${lastMeaningfulLine(`${r.stdout}\n${r.stderr}`)}`,
    evidence: [{ source: 'node', text: `${r.stdout}\n${r.stderr}` }]
  }
}

/** The container's first line that is not one of our markers: what busybox said went wrong. */
function firstComplaint(output: string): string {
  return (
    output
      .split('\n')
      .map(l => l.trim())
      .find(l => l !== '' && !l.startsWith('ZJM-')) ?? '(no message)'
  )
}

function lastMeaningfulLine(text: string): string {
  const lines = text
    .split('\n')
    .map(l => l.trim())
    .filter(l => l !== '')
  return lines.at(-1) ?? '(no output)'
}

/** ctr draws progress bars even without a terminal; steps.log keeps the outcome, not the animation. */
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g
const STEP_OUTPUT_LINES = 40

function tail(text: string, lines: number): string {
  const all = text.trimEnd().split('\n')
  return all.length <= lines
    ? all.join('\n')
    : [`[… ${all.length - lines} earlier lines]`, ...all.slice(-lines)].join('\n')
}

interface Since {
  readonly uptime: number
  readonly epoch: number
}

function parseSince(stdout: string): Since | undefined {
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
class Trace {
  since: Since | undefined
  private readonly lines: string[] = []
  private readonly files: string[] = []

  constructor(private readonly dir: string) {}

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
    const output = tail(`${r.stdout}${r.stderr}`.replace(ANSI, ''), STEP_OUTPUT_LINES)
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

  /** Writes steps.log, containerd.log and kernel.log; returns every log path of the attempt. */
  async collect(node: Node, signal: AbortSignal): Promise<string[]> {
    if (!signal.aborted) {
      this.write('kernel.log', await this.kernelLines(node, signal))
      const since = this.since === undefined ? '-b' : `--since=@${this.since.epoch}`
      const journal = await node.exec(
        cmd('journalctl', '-u', 'containerd', since, '-o', 'short-precise', '--no-pager'),
        { timeoutMs: 30_000 }
      )
      this.write('containerd.log', journal.stdout)
    }
    this.write('steps.log', this.lines.join('\n'))
    return [...this.files]
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
