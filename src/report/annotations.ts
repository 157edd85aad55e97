import { findSignature } from '../diagnose/signatures.js'
import type { LocateVariables, SourceLocation } from '../diagnose/variable-locations.js'
import type { CellResult, FindingLevel } from '../results/cell-result.js'
import { shorten } from './escape.js'
import { dropControl } from '../text/control-chars.js'

export type { LocateVariables, SourceLocation } from '../diagnose/variable-locations.js'

/** A check-run annotation as the REST API takes it. */
export interface Annotation {
  readonly path: string
  readonly start_line: number
  readonly end_line: number
  readonly annotation_level: FindingLevel
  readonly title: string
  readonly message: string
}

/** GitHub's limits on an annotation's fields. */
const TITLE_CHARS = 255
const MESSAGE_CHARS = 60_000
/** Cells named in one lint annotation before the rest are counted. */
const CELLS_NAMED = 10

/**
 * The check run's annotations: one per distinct lint finding (naming the cells it concerns), then one
 * per failed cell at the kubespray variable its fix sets, or at `fallback` (the workflow file) when
 * that variable cannot be found. Errors are the harness's, not kubespray's: they get none.
 */
export function checkAnnotations(
  results: readonly CellResult[],
  locate: LocateVariables,
  fallback: SourceLocation | null
): Annotation[] {
  return [...findingAnnotations(results), ...failureAnnotations(results, locate, fallback)]
}

function findingAnnotations(results: readonly CellResult[]): Annotation[] {
  const byPlace = new Map<
    string,
    { annotation: Omit<Annotation, 'message'>; message: string; cells: string[] }
  >()
  for (const r of results) {
    for (const f of r.findings ?? []) {
      const key = JSON.stringify([f.path, f.line, f.level, f.message])
      const seen = byPlace.get(key)
      if (seen !== undefined) {
        if (!seen.cells.includes(r.id)) seen.cells.push(r.id)
        continue
      }
      const signature = f.signature === undefined ? undefined : findSignature(f.signature)
      byPlace.set(key, {
        annotation: {
          path: f.path,
          start_line: f.line,
          end_line: f.line,
          annotation_level: f.level,
          title: title(`lint: ${signature?.title ?? 'kubespray finding'}`)
        },
        message: f.message,
        cells: [r.id]
      })
    }
  }
  return [...byPlace.values()].map(({ annotation, message, cells }) => ({
    ...annotation,
    message: plain(`${message}\n\nCells: ${namedCells(cells)}`, MESSAGE_CHARS)
  }))
}

function failureAnnotations(
  results: readonly CellResult[],
  locate: LocateVariables,
  fallback: SourceLocation | null
): Annotation[] {
  return results.flatMap(r => {
    if (r.status !== 'fail') return []
    const signature = findSignature(r.signature)
    const at = locate(signature?.kubesprayVariables ?? []) ?? fallback
    if (at === null) return []
    const fix = signature === undefined ? '' : `\n\nFix: ${signature.fix}`
    return [
      {
        path: at.path,
        start_line: at.line,
        end_line: at.line,
        annotation_level: 'failure' as const,
        title: title(`${r.id}: ${signature?.title ?? r.signature}`),
        message: plain(`${r.message}${fix}`, MESSAGE_CHARS)
      }
    ]
  })
}

function namedCells(cells: readonly string[]): string {
  const named = cells.slice(0, CELLS_NAMED).join(', ')
  const more = cells.length - CELLS_NAMED
  return more > 0 ? `${named} and ${more} more` : named
}

/** Annotations are plain text; control characters (from serial consoles) are dropped. */
function plain(text: string, max: number): string {
  return shorten(dropControl(text), max)
}

/** A title is one line. */
function title(text: string): string {
  return plain(text.replace(/[\r\n\t]+/g, ' '), TITLE_CHARS)
}
