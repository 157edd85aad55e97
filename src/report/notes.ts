import type { CellResult } from '../results/cell-result.js'
import { escapeMarkdown } from './escape.js'

/**
 * The distinct notes of the results (a tool stood in for, the model used instead of a checkout),
 * numbered 1, 2, … in the order they first appear, so the matrix marks each cell with its numbers.
 */
export function noteNumbers(results: readonly CellResult[]): Map<string, number> {
  const numbers = new Map<string, number>()
  for (const r of results)
    for (const note of r.notes ?? []) if (!numbers.has(note)) numbers.set(note, numbers.size + 1)
  return numbers
}

/** The numbers of a cell's notes (none for a cell without). */
export function noteMarks(result: CellResult, numbers: ReadonlyMap<string, number>): number[] {
  return (result.notes ?? []).map(n => numbers.get(n)).filter(n => n !== undefined)
}

/** The notes under the table, each with how many cells it concerns; '' when there are none. */
export function renderNotes(results: readonly CellResult[]): string {
  const numbers = noteNumbers(results)
  if (numbers.size === 0) return ''
  const lines = [...numbers].map(([note, n]) => {
    const cells = results.filter(r => r.notes?.includes(note) === true).length
    return `<sup>${n}</sup> ${escapeMarkdown(note)} (${cells} ${cells === 1 ? 'cell' : 'cells'})`
  })
  return `**Notes:**\n\n${lines.join('<br>\n')}`
}
