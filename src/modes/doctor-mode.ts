import type { Executor } from '../exec/executor.js'
import { SIGNATURES } from '../diagnose/signatures.js'
import { inspectNodes, type NodeReport } from '../doctor/inspect-nodes.js'
import { resolveTargets } from '../doctor/resolve-targets.js'
import type { Config } from '../inputs/config.js'
import type { Log } from '../log/log.js'
import { writeDocument } from '../publish/files.js'
import type { Outputs } from '../publish/outputs.js'
import { doctorJson, doctorMarkdown, doctorText } from '../report/doctor-report.js'
import type { ModeResult } from './mode.js'

export interface DoctorModeDeps {
  readonly exec: Executor
  readonly log: Log
  readonly signal: AbortSignal
}

/**
 * `mode: doctor`: the nodes of `hosts` or `inventory` inspected as `doctor` does; the tables go to
 * the job summary, doctor.json and doctor.md, an annotation per node with a prediction (or not
 * inspected), and the `signatures` output. A prediction or a node not inspected fails the step unless
 * `fail-on: never`, as the CLI exits 1.
 */
export async function doctorMode(
  config: Config,
  outputs: Outputs,
  deps: DoctorModeDeps
): Promise<ModeResult> {
  const resolved = await resolveTargets(config.doctor, deps.exec)
  if (typeof resolved === 'string') return { failed: true, reason: resolved }
  const reports = await inspectNodes(resolved.targets, resolved.unusable, {
    exec: deps.exec,
    signal: deps.signal,
    onProgress: line => deps.log.info(line)
  })
  for (const line of doctorText(reports).trimEnd().split('\n')) deps.log.info(line)
  const markdown = doctorMarkdown(reports)
  const json = writeDocument(config.outputDir, 'doctor', doctorJson(reports), markdown)
  await outputs.summary(markdown)
  for (const r of reports) annotate(r, outputs)

  const predicted = new Set(
    reports.flatMap(r => (r.kind === 'inspected' ? r.assessment.predictions.map(p => p.signature.id) : []))
  )
  const ids = SIGNATURES.filter(s => predicted.has(s.id)).map(s => s.id)
  const missed = reports.filter(r => r.kind === 'unreachable').length
  outputs.set('signatures', ids.join(','))
  outputs.set('doctor-json', json)
  const found = ids.length > 0 || missed > 0
  const failed = found && config.failOn !== 'never'
  outputs.set('conclusion', failed ? 'failure' : 'success')
  const parts = [
    `${reports.length - missed} of ${reports.length} node(s) inspected`,
    ids.length > 0 ? `predicted: ${ids.join(', ')}` : 'no known signature predicted'
  ]
  return { failed, reason: `doctor: ${parts.join('; ')}` }
}

/** Node names are the user's and the facts come from the node: the runner escapes annotation text. */
function annotate(r: NodeReport, outputs: Outputs): void {
  if (r.kind === 'unreachable') {
    outputs.annotate?.({ level: 'error', title: `doctor: ${r.name} not inspected`, message: r.problem })
    return
  }
  const [first, ...rest] = r.assessment.predictions
  if (first === undefined) return
  outputs.annotate?.({
    level: 'error',
    title: `doctor: ${r.target.name}: ${first.signature.code} ${first.signature.title}`,
    message: [
      ...first.because.map(b => `Because ${b}.`),
      `Fix: ${first.signature.fix}`,
      ...(rest.length > 0 ? [`Then: ${rest.map(p => p.signature.code).join(', ')}`] : [])
    ].join('\n')
  })
}
