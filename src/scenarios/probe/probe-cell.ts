import { posix } from 'node:path'
import type { Evidence } from '../../diagnose/classify.js'
import type { CommandResult } from '../../exec/executor.js'
import { SNAPSHOTTERS, type Snapshotter } from '../../plan/axes.js'
import type { NodeVersions } from '../../results/cell-result.js'
import type { Attempt, AttemptContext, Verdict } from '../scenario.js'
import { sourceText, type CellConfig } from './cell-config.js'
import { writeRecord } from './cell-record.js'
import { startContainerdScript } from './containerd-start.js'
import { CriClient } from '../../containerd/cri-client.js'
import { runThroughCri, type StepResult } from './cri-run.js'
import { versionCommand } from './image-tools.js'
import type { ProbeNode } from './probe-node.js'
import { statSnapshot } from '../../containerd/snapshots-client.js'
import { parseSince, Trace } from './trace.js'
import { errorMessage } from '../../text/error-message.js'

const PULL_TIMEOUT_MS = 5 * 60_000

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

  await trace.time('zfs-reset', () => env.node.reset())
  const started = await trace.time('containerd-start', () =>
    trace.step('start containerd', env.node, startContainerdScript(config.files), ctx.signal)
  )
  if (started.exitCode !== 0) {
    return finish(harness('containerd did not start with the rendered config', started))
  }
  trace.since = parseSince(started.stdout)
  const tool = await trace.time('tool-version', () => toolVersion(env, config, ctx.signal))
  // One connection serves the whole cell: the crictl stand-in's pull and kubelet's pod and container.
  const connected = await trace.time('cri-connect', () => connect(env, trace))
  if (connected.kind === 'failed') return finish(connected.verdict, tool)
  try {
    const pulled = await trace.time('pull', () => pull(env, config, connected.cri, trace, ctx.signal))
    if (pulled.kind !== 'ok') return await finish(pulled.verdict, tool)
    unpacked = await trace.time('unpack-check', () => unpackedSnapshotters(env, trace))
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
  // In steps.log too, so the cell's logs handed to `diagnose` name the snapshotter mismatch
  // (tool-snapshotter-mismatch) as the verdict does.
  if (mismatch !== undefined) trace.note('snapshots', mismatch)
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
 * A failed run keeps the mismatch as evidence: the CRI unpacking again into its own snapshotter can be
 * what failed. The overlayfs-on-ZFS signatures (overlayfs-mount-einval, overlayfs-rename-whiteout)
 * come first in the catalogue, so they still win when they match.
 */
function withMismatch(verdict: Verdict, mismatch: string | undefined): Verdict {
  if (mismatch === undefined || (verdict.kind !== 'fail' && verdict.kind !== 'error')) return verdict
  return { ...verdict, evidence: [...verdict.evidence, { source: 'snapshots', text: mismatch }] }
}

async function toolVersion(env: ProbeNode, config: CellConfig, signal: AbortSignal): Promise<string> {
  const tool = config.pullTool
  if (tool === null) return `${config.pull.program} (not a tool the probe knows)`
  if (tool === 'crictl' && env.crictl.kind === 'cri-client') {
    return `zjm CRI client (CRI API ${env.criProtos.version}); crictl not used: ${env.crictl.reason}`
  }
  const known = env.toolVersions.get(tool)
  if (known !== undefined) return known
  const r = await env.node.exec(versionCommand(tool), { signal, timeoutMs: 30_000 })
  if (r.exitCode !== 0) return `${tool} (version unknown)`
  const line = r.stdout.trim().split('\n')[0]!
  env.toolVersions.set(tool, line)
  return line
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
      trace.note('pull', `CRI PullImage ${reference}: ${errorMessage(e)}`)
      const kernel = await trace.kernelLines(env.node, signal)
      return { kind: 'failed', verdict: pullFailure('the CRI pull', errorMessage(e), kernel) }
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
async function unpackedSnapshotters(env: ProbeNode, trace: Trace): Promise<Snapshotter[]> {
  const held: Snapshotter[] = []
  for (const s of SNAPSHOTTERS) {
    const answer = await statSnapshot(env.criSocket, 'k8s.io', s, env.probeImage.topChainId)
    if (answer.kind === 'held') held.push(s)
    if (answer.kind === 'refused') trace.note('where the image was unpacked', `${s}: ${answer.message}`)
  }
  trace.note('where the image was unpacked', held.length === 0 ? 'in no snapshotter' : held.join(', '))
  return held
}

/**
 * The line tool-snapshotter-mismatch matches, when the pull left the image unpacked for another
 * snapshotter than the one the rendered config gives the CRI (kubelet would unpack it again, or not
 * find it).
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
    trace.note('cri', errorMessage(e))
    return {
      kind: 'failed',
      verdict: { kind: 'error', message: errorMessage(e), evidence: [] }
    }
  }
}

function harness(what: string, r: CommandResult): Verdict {
  return {
    kind: 'error',
    message: `${what}: ${lastMeaningfulLine(`${r.stdout}\n${r.stderr}`)}`,
    evidence: [{ source: 'node', text: `${r.stdout}\n${r.stderr}` }]
  }
}

function lastMeaningfulLine(text: string): string {
  const lines = text
    .split('\n')
    .map(l => l.trim())
    .filter(l => l !== '')
  return lines.at(-1) ?? '(no output)'
}
