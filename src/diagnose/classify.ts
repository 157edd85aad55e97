import { SIGNATURES, UNKNOWN_SIGNATURE, matchesLine, type Signature } from './signatures.js'

/** A named piece of text a scenario collected: a journal, a serial console, an Ansible log. */
export interface Evidence {
  readonly source: string
  readonly text: string
}

export interface Diagnosis {
  readonly signature: Signature
  /** Other signatures that matched too (downstream symptoms of the root cause). */
  readonly alsoMatched: readonly string[]
  /** The lines that matched, prefixed with their source, at most MAX_EXCERPT_LINES. */
  readonly excerpt: readonly string[]
}

const MAX_EXCERPT_LINES = 8
/** Lines worth quoting when nothing in the catalogue matches. */
export const SUSPICIOUS =
  /\b(error|failed|fatal|refused|invalid argument|denied|no such file|timed? ?out|panic)\b/i

export function classify(
  evidence: readonly Evidence[],
  catalogue: readonly Signature[] = SIGNATURES
): Diagnosis {
  const lines = evidence.flatMap(e => e.text.split(/\r?\n/).map(line => ({ source: e.source, line })))
  const matches = catalogue
    .map(signature => ({
      signature,
      hits: lines.filter(({ line }) => matchesLine(signature, line))
    }))
    .filter(m => m.hits.length > 0)

  const [first, ...rest] = matches
  if (first === undefined) {
    const suspicious = lines.filter(({ line }) => SUSPICIOUS.test(line)).slice(-MAX_EXCERPT_LINES)
    return { signature: UNKNOWN_SIGNATURE, alsoMatched: [], excerpt: suspicious.map(quote) }
  }
  return {
    signature: first.signature,
    alsoMatched: rest.map(m => m.signature.id),
    excerpt: first.hits.slice(0, MAX_EXCERPT_LINES).map(quote)
  }
}

function quote({ source, line }: { source: string; line: string }): string {
  return `${source}: ${line.trim()}`
}
