import { Readable } from 'node:stream'
import type { Executor } from '../exec/executor.js'
import { scanSources } from '../diagnose/scan-logs.js'
import { doctorSshCommand, type DoctorTarget, type UnusableTarget } from './doctor-target.js'
import { inspectionScript, splitOutputs } from './inspection.js'
import { readFacts, type NodeFacts } from './node-facts.js'
import { assessNode, type NodeAssessment } from './predict-node.js'

export type NodeReport =
  | {
      readonly kind: 'inspected'
      readonly target: DoctorTarget
      readonly facts: NodeFacts
      readonly assessment: NodeAssessment
      readonly durationMs: number
    }
  | { readonly kind: 'unreachable'; readonly name: string; readonly problem: string }

/** Long enough for every check's own 20 s limit to pass on a slow node, short enough to move on. */
const SESSION_TIMEOUT_MS = 5 * 60_000
/** Nodes are inspected this many at a time: each is one ssh session, mostly waiting. */
const PARALLEL = 4
/** ssh's own exit status for "could not connect or authenticate". */
const SSH_FAILED = 255

export interface InspectOptions {
  readonly exec: Executor
  readonly signal?: AbortSignal
  readonly onProgress?: (line: string) => void
}

/** Inspects every target (a node that cannot be reached is reported, the others still inspected). */
export async function inspectNodes(
  targets: readonly DoctorTarget[],
  unusable: readonly UnusableTarget[],
  options: InspectOptions
): Promise<NodeReport[]> {
  const reports: NodeReport[] = new Array<NodeReport>(targets.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const i = next++
      const r = await inspectNode(targets[i]!, options)
      reports[i] = r
      options.onProgress?.(
        r.kind === 'inspected'
          ? `${r.target.name}: inspected in ${(r.durationMs / 1000).toFixed(1)} s, ${r.assessment.predictions.length} signature(s) predicted`
          : `${r.name}: not inspected: ${r.problem}`
      )
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL, targets.length) }, worker))
  return [
    ...unusable.map(u => ({ kind: 'unreachable' as const, name: u.name, problem: u.problem })),
    ...reports
  ]
}

async function inspectNode(target: DoctorTarget, options: InspectOptions): Promise<NodeReport> {
  const { script, nonce } = inspectionScript()
  const r = await options.exec.run(doctorSshCommand(target, script), {
    timeoutMs: SESSION_TIMEOUT_MS,
    ...(options.signal === undefined ? {} : { signal: options.signal })
  })
  const outputs = splitOutputs(r.stdout, nonce)
  if (outputs.size === 0) {
    const why =
      r.killedBy === 'timeout'
        ? `no answer within ${SESSION_TIMEOUT_MS / 60_000} minutes`
        : r.killedBy === 'abort'
          ? 'cancelled'
          : r.exitCode === 127 && /ENOENT/.test(r.stderr)
            ? 'ssh is not installed on this machine'
            : r.exitCode === SSH_FAILED
              ? `ssh could not log in: ${lastLine(r.stderr) || 'no reason given'}`
              : `the node ran no check (exit ${r.exitCode ?? 'none'}): ${lastLine(r.stderr) || lastLine(r.stdout) || 'no output'}`
    return { kind: 'unreachable', name: target.name, problem: why }
  }
  if ([...outputs.values()].every(o => o.exitCode !== 0 && /^sudo: /m.test(o.output))) {
    return {
      kind: 'unreachable',
      name: target.name,
      problem: `logged in, but not as root, and sudo -n refuses (${lastLine([...outputs.values()][0]!.output)}): doctor reads the node as root`
    }
  }
  const facts = readFacts(outputs)
  const logs = await scanSources([
    { name: `${target.name}:journalctl -u containerd`, stream: Readable.from([facts.journals.containerd]) },
    { name: `${target.name}:journalctl -u kubelet`, stream: Readable.from([facts.journals.kubelet]) },
    { name: `${target.name}:dmesg`, stream: Readable.from([facts.kernelLog.join('\n')]) }
  ])
  return { kind: 'inspected', target, facts, assessment: assessNode(facts, logs), durationMs: r.durationMs }
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.trim() ?? ''
}
