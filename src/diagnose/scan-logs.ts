import type { Readable } from 'node:stream'
import { SUSPICIOUS } from './classify.js'
import { KIND_SAMPLE_LINES, detectKind, journalUnits, type LogKind } from './log-kind.js'
import { lineTexts } from './log-text.js'
import { LogInputError, openLog, readLines, type NumberedLine } from './read-lines.js'
import { causalOrder } from './causal-order.js'
import { SIGNATURES, matchesLine, type Signature } from './signatures.js'

/** A line of a user's log, where it is. */
export interface LogLine {
  readonly file: string
  readonly line: number
  readonly text: string
}

export interface ScannedLog {
  readonly file: string
  readonly kind: LogKind
  /** For journals: the units seen in the first lines. */
  readonly units: readonly string[]
  readonly lines: number
}

export interface LogFinding {
  readonly signature: Signature
  /** The first lines that matched, at most MAX_EVIDENCE. */
  readonly evidence: readonly LogLine[]
  /** How many lines matched in all. */
  readonly matched: number
  /** The root cause this finding is a symptom of (see causal-order.ts); null for a root cause. */
  readonly explainedBy: string | null
}

export interface LogDiagnosis {
  readonly logs: readonly ScannedLog[]
  /** In causal order: the root cause first, then what it explains. */
  readonly findings: readonly LogFinding[]
  /** Error lines no signature names, one per distinct message, at most MAX_UNMATCHED. */
  readonly unmatched: readonly LogLine[]
  /** How many distinct unmatched messages there were in all (counted up to MAX_DISTINCT). */
  readonly unmatchedDistinct: number
}

export const MAX_EVIDENCE = 5
export const MAX_UNMATCHED = 20
/** Distinct unmatched messages are told apart up to this many; beyond, the memory stays bounded. */
export const MAX_DISTINCT = 10_000
/** Quoted lines are cut here: a JSON blob of a megabyte is not evidence anyone reads. */
const MAX_QUOTE = 400

/**
 * Reads every log once, line by line (memory bounded by the caps above, whatever the files' size),
 * and names every signature found. All files are opened, and a bad one reported, before any is read.
 */
export async function scanLogs(
  files: readonly string[],
  stdin: Readable,
  catalogue: readonly Signature[] = SIGNATURES
): Promise<LogDiagnosis> {
  if (files.length === 0) throw new LogInputError('no log given: name files, or - for standard input')
  if (files.filter(f => f === '-').length > 1)
    throw new LogInputError('- (standard input) is given more than once')
  const problems: string[] = []
  const streams = files.map(f => {
    try {
      return openLog(f, stdin)
    } catch (e) {
      if (!(e instanceof LogInputError)) throw e
      problems.push(e.message)
      return undefined
    }
  })
  if (problems.length > 0) throw new LogInputError(problems.join('; '))

  return scanSources(
    streams.map((stream, i) => ({ name: files[i] === '-' ? '(stdin)' : files[i]!, stream: stream! })),
    catalogue
  )
}

/** A log already open: a user's file, or text read off a node (doctor), under the name its lines cite. */
export interface LogSource {
  readonly name: string
  readonly stream: AsyncIterable<Buffer | string>
}

/** Reads each source once, line by line, and names every signature found, root cause first. */
export async function scanSources(
  sources: readonly LogSource[],
  catalogue: readonly Signature[] = SIGNATURES
): Promise<LogDiagnosis> {
  const hits = new Map<Signature, { evidence: LogLine[]; matched: number }>()
  const unmatched: Unmatched = { listed: [], seen: new Set() }
  const logs: ScannedLog[] = []
  for (const source of sources) {
    logs.push(await scanOne(source.name, source.stream, catalogue, hits, unmatched))
  }
  const findings = causalOrder(catalogue.filter(s => hits.has(s))).map(({ signature, explainedBy }) => {
    const { evidence, matched } = hits.get(signature)!
    return { signature, evidence, matched, explainedBy }
  })
  return {
    logs,
    findings,
    unmatched: unmatched.listed,
    unmatchedDistinct: unmatched.seen.size
  }
}

interface Unmatched {
  readonly listed: LogLine[]
  readonly seen: Set<string>
}

async function scanOne(
  file: string,
  stream: AsyncIterable<Buffer | string>,
  catalogue: readonly Signature[],
  hits: Map<Signature, { evidence: LogLine[]; matched: number }>,
  unmatched: Unmatched
): Promise<ScannedLog> {
  // The kind is told from the first lines, which are held until then (bounded by KIND_SAMPLE_LINES).
  const sample: NumberedLine[] = []
  let kind: LogKind | undefined
  let count = 0
  const read = (l: NumberedLine, k: LogKind): void => {
    count = l.n
    let named = false
    const texts = lineTexts(k, l.text)
    for (const text of texts) {
      for (const signature of catalogue) {
        if (!matchesLine(signature, text)) continue
        named = true
        const hit = hits.get(signature) ?? { evidence: [], matched: 0 }
        hits.set(signature, hit)
        hit.matched++
        if (hit.evidence.length < MAX_EVIDENCE) hit.evidence.push({ file, line: l.n, text: quote(text) })
      }
    }
    if (named) return
    for (const text of texts) {
      if (!looksLikeAnError(text)) continue
      const key = distinct(text)
      if (unmatched.seen.has(key) || unmatched.seen.size >= MAX_DISTINCT) continue
      unmatched.seen.add(key)
      if (unmatched.listed.length < MAX_UNMATCHED)
        unmatched.listed.push({ file, line: l.n, text: quote(text) })
    }
  }
  for await (const l of readLines(stream)) {
    if (kind !== undefined) {
      read(l, kind)
      continue
    }
    sample.push(l)
    if (sample.length < KIND_SAMPLE_LINES) continue
    kind = detectKind(sample.map(s => s.text))
    for (const s of sample) read(s, kind)
  }
  if (kind === undefined) {
    kind = detectKind(sample.map(s => s.text))
    for (const s of sample) read(s, kind)
  }
  return {
    file,
    kind,
    units: journalUnits(
      sample.map(s => s.text),
      kind
    ),
    lines: count
  }
}

/** Informational lines that mention errors (`error=<nil>`, klog's I and W lines, Ansible's recap). */
const NOT_AN_ERROR = [
  /\blevel=(info|debug|trace|warning)\b/,
  /(^|\s)[IW]\d{4} \d\d:\d\d:\d\d/,
  /^To see the stack trace of this error/,
  /^\s*\S+\s+: ok=\d+\s+changed=\d+/,
  /\bfailed=0\b/,
  // Ansible's retries: the last attempt's failure, if any, is reported on its own.
  /^FAILED - RETRYING: /
]

function looksLikeAnError(text: string): boolean {
  return SUSPICIOUS.test(text) && !NOT_AN_ERROR.some(p => p.test(text))
}

/** One entry per message, whatever its timestamps, ids and counts. */
function distinct(text: string): string {
  return text
    .replace(/\b[0-9a-f]{12,}\b/g, 'H')
    .replace(/\d+/g, '0')
    .replace(/\s+/g, ' ')
    .trim()
}

function quote(text: string): string {
  const t = text.trim()
  return t.length > MAX_QUOTE ? `${t.slice(0, MAX_QUOTE)}…` : t
}
