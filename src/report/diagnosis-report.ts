import type { LogDiagnosis, LogFinding, LogLine } from '../diagnose/scan-logs.js'
import { LOG_KIND_TITLES } from '../diagnose/log-kind.js'
import { findSignature } from '../diagnose/signatures.js'
import { renderAs, type DocumentFormat } from './document-format.js'
import { codeBlock, escapeMarkdown, printable } from './escape.js'

/** What `diagnose` prints, in the format asked for. */
export function renderDiagnosis(d: LogDiagnosis, format: DocumentFormat): string {
  return renderAs(format, {
    text: () => diagnosisText(d),
    json: () => diagnosisJson(d),
    markdown: () => diagnosisMarkdown(d)
  })
}

/** The JSON form: stable field names, the signature by id with its texts, for scripts and results. */
export function diagnosisJson(d: LogDiagnosis) {
  return {
    logs: d.logs.map(l => ({ file: l.file, kind: l.kind, units: l.units, lines: l.lines })),
    findings: d.findings.map((f, i) => ({
      id: f.signature.id,
      code: f.signature.code,
      title: f.signature.title,
      role: role(f, i),
      explainedBy: f.explainedBy,
      matchedLines: f.matched,
      evidence: f.evidence,
      rootCause: f.signature.rootCause,
      fix: f.signature.fix,
      kubesprayVariables: f.signature.kubesprayVariables
    })),
    unmatched: d.unmatched,
    unmatchedDistinct: d.unmatchedDistinct
  }
}

function role(f: LogFinding, i: number): 'root cause' | 'symptom' | 'also a cause' {
  if (i === 0) return 'root cause'
  return f.explainedBy === null ? 'also a cause' : 'symptom'
}

function roleText(f: LogFinding, i: number): string {
  const r = role(f, i)
  if (r !== 'symptom') return r
  return `symptom of ${findSignature(f.explainedBy!)?.code ?? f.explainedBy!}`
}

const at = (l: LogLine): string => `${l.file}:${l.line}`

function logsLine(d: LogDiagnosis): string[] {
  return d.logs.map(l => {
    const units = l.units.length > 0 ? ` (${l.units.join(', ')})` : ''
    return `${l.file}: ${LOG_KIND_TITLES[l.kind]}${units}, ${l.lines} lines`
  })
}

function more(shown: number, all: number, what: string): string | null {
  return all > shown ? `… and ${all - shown} more ${what}` : null
}

export function diagnosisText(d: LogDiagnosis): string {
  const out: string[] = [`Read ${d.logs.length} log(s):`, ...logsLine(d).map(l => `  ${printable(l)}`), '']
  if (d.findings.length === 0) out.push('No known signature found.')
  d.findings.forEach((f, i) => {
    const s = f.signature
    out.push(`${i + 1}. ${s.code} ${s.id}: ${s.title} [${roleText(f, i)}]`)
    out.push(`   evidence (${f.matched} line${f.matched === 1 ? '' : 's'}):`)
    for (const l of f.evidence) out.push(`     ${printable(at(l))}: ${printable(l.text)}`)
    const rest = more(f.evidence.length, f.matched, 'matching lines')
    if (rest !== null) out.push(`     ${rest}`)
    out.push(`   root cause: ${s.rootCause}`, `   fix: ${s.fix}`)
    if (s.kubesprayVariables.length > 0)
      out.push(`   kubespray variables: ${s.kubesprayVariables.join(', ')}`)
    out.push('')
  })
  if (d.unmatchedDistinct > 0) {
    out.push(`Errors no signature names (${d.unmatchedDistinct} distinct):`)
    for (const l of d.unmatched) out.push(`  ${printable(at(l))}: ${printable(l.text)}`)
    const rest = more(d.unmatched.length, d.unmatchedDistinct, 'distinct errors')
    if (rest !== null) out.push(`  ${rest}`)
    out.push('')
  }
  return `${out.join('\n').trimEnd()}\n`
}

export function diagnosisMarkdown(d: LogDiagnosis): string {
  const out: string[] = ['## zfs-join-matrix diagnose', '']
  for (const l of logsLine(d)) out.push(`- ${escapeMarkdown(l)}`)
  out.push('')
  if (d.findings.length === 0) out.push('No known signature found.', '')
  d.findings.forEach((f, i) => {
    const s = f.signature
    out.push(`### ${i + 1}. ${s.code} ${escapeMarkdown(s.title)} (${escapeMarkdown(roleText(f, i))})`, '')
    out.push(`Evidence, ${f.matched} matching line${f.matched === 1 ? '' : 's'}:`, '')
    out.push(codeBlock(f.evidence.map(l => `${at(l)}: ${l.text}`).join('\n')), '')
    // The catalogue's texts are the project's own Markdown; only what came from the logs is escaped.
    out.push(`**Root cause.** ${s.rootCause}`, '', `**Fix.** ${s.fix}`, '')
    if (s.kubesprayVariables.length > 0) {
      out.push(`Kubespray variables: ${s.kubesprayVariables.map(v => `\`${v}\``).join(', ')}`, '')
    }
  })
  if (d.unmatchedDistinct > 0) {
    out.push(`### Errors no signature names (${d.unmatchedDistinct} distinct)`, '')
    out.push(codeBlock(d.unmatched.map(l => `${at(l)}: ${l.text}`).join('\n')), '')
  }
  return `${out.join('\n').trimEnd()}\n`
}
