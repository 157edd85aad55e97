import { SIGNATURES, UNKNOWN_SIGNATURE } from '../diagnose/signatures.js'
import type { Cell } from '../plan/cell.js'
import { outcomeSignature, type CellResult } from '../results/cell-result.js'
import { imageVersions, latestResults, matrixGrid, rowName } from './matrix-table.js'
import { noteNumbers } from './notes.js'
import { oneLine } from '../text/control-chars.js'

/**
 * The matrix report.md starts with, for the run's last lines in a terminal or a job log: the same grid,
 * drawn in aligned columns (snapshotter over tool), the versions of each image under it, and what each
 * signature code stands for. Plain text: nothing here is Markdown, so nothing is escaped for it, but
 * control characters from guests are dropped so no node can move the cursor or colour the log.
 */
export function renderMatrixText(results: readonly CellResult[], planned: readonly Cell[]): string {
  if (planned.length === 0 && results.length === 0) return 'No cells planned.'
  const { columns, rows } = matrixGrid(results, planned)
  const table = [
    ['', ...columns.map(c => c.snapshotter)],
    ['image', ...columns.map(c => c.tool)],
    ...rows.map(row => [
      oneLine(rowName(row)),
      ...row.cells.map(c => (c.notes.length === 0 ? c.label : `${c.label} [${c.notes.join(',')}]`))
    ])
  ]
  const widths = table[0]!.map((_, i) => Math.max(...table.map(line => displayWidth(line[i]!))))
  const lines = table.map(line =>
    line
      .map((text, i) =>
        i === line.length - 1 ? text : text + ' '.repeat(widths[i]! - displayWidth(text) + 2)
      )
      .join('')
      .trimEnd()
  )
  const images = [...new Set(rows.map(r => r.image))]
  const versions = images.map(image => `${oneLine(image)}: ${imageVersions(image, results, oneLine)}`)
  const shown = new Set(latestResults(results).flatMap(r => outcomeSignature(r) ?? []))
  const codes = [...SIGNATURES, UNKNOWN_SIGNATURE]
    .filter(s => shown.has(s.id))
    .map(s => `${s.code} = ${s.title} (${s.id})`)
  const notes = [...noteNumbers(latestResults(results))].map(([note, n]) => `[${n}] ${oneLine(note)}`)
  const blocks = [lines, versions, codes, notes].filter(b => b.length > 0)
  return blocks.map(b => b.join('\n')).join('\n\n')
}

/**
 * Columns a terminal gives `text`: the status symbols are emoji, two columns wide; a variation
 * selector takes none.
 */
function displayWidth(text: string): number {
  let width = 0
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    if (code === 0xfe0f || code === 0x200d) continue
    width += code >= 0x2300 && code !== 0x00b7 ? 2 : 1
  }
  return width
}
