import { createHash } from 'node:crypto'
import type { CellResult } from '../results/cell-result.js'

/**
 * Hidden HTML comments that let a later run find what an earlier run posted. The title is hashed
 * into the marker: a title may hold `-->` or anything else, a hex key cannot end the comment early.
 */
const PREFIX = 'zfs-join-matrix'

export type MarkerKind = 'sticky' | 'issue'

/** The marker of the one comment (or issue) per matrix title in a repository. */
export function titleMarker(kind: MarkerKind, title: string): string {
  return `<!-- ${PREFIX}:${kind} ${sha256(title).slice(0, 16)} -->`
}

/**
 * A digest of every cell's status and signature, so `comment-mode: changes` can tell whether the
 * matrix changed since the comment was written. Durations and log paths do not count.
 */
export function stateMarker(results: readonly CellResult[]): string {
  const lines = results
    .map(r => `${r.id} ${r.status} ${r.status === 'fail' || r.status === 'flaky' ? r.signature : ''}`)
    .sort()
  return `<!-- ${PREFIX}:state ${sha256(lines.join('\n'))} -->`
}

/** The state marker written into `body`, or null when it has none. */
export function readStateMarker(body: string): string | null {
  return new RegExp(`<!-- ${PREFIX}:state [0-9a-f]{64} -->`).exec(body)?.[0] ?? null
}

/** A data block: JSON, base64url-encoded so nothing in it can close the HTML comment. */
export function dataMarker(name: string, value: unknown): string {
  return `<!-- ${PREFIX}:${name} ${Buffer.from(JSON.stringify(value)).toString('base64url')} -->`
}

/** The value of a data block, or undefined when `body` has none or it is not valid JSON. */
export function readDataMarker(body: string, name: string): unknown {
  const m = new RegExp(`<!-- ${PREFIX}:${name} ([A-Za-z0-9_-]*) -->`).exec(body)
  if (m === null) return undefined
  try {
    return JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
