import { Readable } from 'node:stream'
import { LogInputError } from '../diagnose/read-lines.js'
import { scanLogs, type LogDiagnosis } from '../diagnose/scan-logs.js'
import { GlobMatchError, expandGlobs } from '../host/expand-globs.js'
import type { Log } from '../log/log.js'
import type { Config } from '../inputs/config.js'
import { writeDocument } from '../publish/files.js'
import type { Outputs } from '../publish/outputs.js'
import { diagnosisJson, diagnosisMarkdown, diagnosisText } from '../report/diagnosis-report.js'
import type { ModeResult } from './mode.js'

/**
 * `mode: diagnose`: the logs a failed deploy left (`logs`, paths or globs) read as `diagnose` reads
 * them; the diagnosis goes to the job summary, diagnosis.json and diagnosis.md, an annotation on each
 * finding's first evidence line, and the `signatures` output. A finding fails the step unless
 * `fail-on: never`, as the CLI exits 1: a later step can branch on it.
 */
export async function diagnoseMode(config: Config, outputs: Outputs, log: Log): Promise<ModeResult> {
  let diagnosis: LogDiagnosis
  try {
    diagnosis = await scanLogs(expandGlobs(config.logs), Readable.from([]))
  } catch (e) {
    if (e instanceof LogInputError || e instanceof GlobMatchError) {
      return { failed: true, reason: `logs: ${e.message}` }
    }
    throw e
  }
  for (const line of diagnosisText(diagnosis).trimEnd().split('\n')) log.info(line)
  const markdown = diagnosisMarkdown(diagnosis)
  const json = writeDocument(config.outputDir, 'diagnosis', diagnosisJson(diagnosis), markdown)
  await outputs.summary(markdown)
  diagnosis.findings.forEach((f, i) => {
    const first = f.evidence[0]
    if (first === undefined) return
    outputs.annotate?.({
      level: i === 0 ? 'error' : 'warning',
      title: `${f.signature.code} ${f.signature.title}`,
      message: `${f.explainedBy === null ? 'Root cause' : 'Symptom'}: ${f.signature.rootCause}\nFix: ${f.signature.fix}`,
      file: first.file,
      line: first.line
    })
  })
  const ids = diagnosis.findings.map(f => f.signature.id)
  outputs.set('signatures', ids.join(','))
  outputs.set('diagnosis-json', json)
  const found = ids.length > 0
  outputs.set('conclusion', found && config.failOn !== 'never' ? 'failure' : 'success')
  const reason = found
    ? `diagnose: ${ids.length} signature(s) found, root cause ${diagnosis.findings[0]!.signature.code} ${ids[0]}`
    : `diagnose: no known signature in ${diagnosis.logs.length} log(s)`
  return { failed: found && config.failOn !== 'never', reason }
}
