import { SIGNATURES, UNKNOWN_SIGNATURE, findSignature } from '../diagnose/signatures.js'
import { findImage } from '../images/catalogue.js'
import { SNAPSHOTTERS, TOOLS, VARIANTS, type Snapshotter, type Tool, type Variant } from '../plan/axes.js'
import type { Cell } from '../plan/cell.js'
import { outcomeSignature, type CellResult } from '../results/cell-result.js'
import { codeSpan, escapeMarkdown } from './escape.js'
import { noteMarks, noteNumbers } from './notes.js'
import { NOT_PLANNED_SYMBOL, NOT_RUN_SYMBOL, STATUS_SYMBOLS, outcomeLabel } from './symbols.js'

type Coordinates = Pick<Cell, 'image' | 'snapshotter' | 'tool' | 'variant'>

export interface Row {
  readonly image: string
  readonly variant: Variant
}

export interface Column {
  readonly snapshotter: Snapshotter
  readonly tool: Tool
}

/**
 * One result per cell, in the order cells first appear; when a cell has several results (a resumed
 * run appends again) the last one wins, as it finished last.
 */
export function latestResults(results: readonly CellResult[]): CellResult[] {
  const latest = new Map<string, CellResult>()
  for (const r of results) latest.set(key(r), r)
  return [...latest.values()]
}

/** One row of the matrix: an image and variant, its cells' labels in column order. */
export interface GridRow extends Row {
  readonly cells: readonly GridCell[]
}

/** A cell's status label (symbol and signature code) and the numbers of its notes. */
export interface GridCell {
  readonly label: string
  readonly notes: readonly number[]
}

/**
 * The pass/fail matrix, before it is drawn: one row per image and variant (images in plan order, the
 * fixed variant right under the kubespray one, so the fix shows next to the failure), one column per
 * snapshotter × tool combination planned (in SNAPSHOTTERS then TOOLS order), each cell its label.
 *
 * A result for a cell the plan does not contain is shown anyway (its row or column is added) rather
 * than hidden: the table is the one part of the report that is never shortened, so it must show
 * every result.
 */
export function matrixGrid(
  results: readonly CellResult[],
  planned: readonly Cell[]
): { readonly columns: readonly Column[]; readonly rows: readonly GridRow[] } {
  const latest = new Map(latestResults(results).map(r => [key(r), r]))
  const plannedKeys = new Set(planned.map(key))
  const everyCell: readonly Coordinates[] = [...planned, ...results]
  const images = [...new Set(everyCell.map(c => c.image))]
  const rows: Row[] = images.flatMap(image =>
    VARIANTS.filter(variant => everyCell.some(c => c.image === image && c.variant === variant)).map(
      variant => ({ image, variant })
    )
  )
  const columns: Column[] = SNAPSHOTTERS.flatMap(snapshotter =>
    TOOLS.filter(tool => everyCell.some(c => c.snapshotter === snapshotter && c.tool === tool)).map(tool => ({
      snapshotter,
      tool
    }))
  )
  const notes = noteNumbers([...latest.values()])
  const cell = (row: Row, column: Column): GridCell => {
    const k = key({ ...row, ...column })
    const result = latest.get(k)
    if (result !== undefined) return { label: outcomeLabel(result), notes: noteMarks(result, notes) }
    return { label: plannedKeys.has(k) ? NOT_RUN_SYMBOL : NOT_PLANNED_SYMBOL, notes: [] }
  }
  return { columns, rows: rows.map(row => ({ ...row, cells: columns.map(c => cell(row, c)) })) }
}

/** The pass/fail matrix as a Markdown table (see matrixGrid), each row labelled with its versions. */
export function renderMatrixTable(results: readonly CellResult[], planned: readonly Cell[]): string {
  if (planned.length === 0 && results.length === 0) return '_No cells planned._'
  const { columns, rows } = matrixGrid(results, planned)
  const header = `| image | ${columns.map(c => `${c.snapshotter}<br>${c.tool}`).join(' | ')} |`
  const separator = `| --- | ${columns.map(() => ':-:').join(' | ')} |`
  const text = (c: GridCell) => (c.notes.length === 0 ? c.label : `${c.label}<sup>${c.notes.join(',')}</sup>`)
  const lines = rows.map(row => `| ${rowLabel(row, results)} | ${row.cells.map(text).join(' | ')} |`)
  return [header, separator, ...lines].join('\n')
}

/**
 * What the symbols mean, and every signature code the table shows with its title and id, in
 * catalogue order (root causes first).
 */
export function renderLegend(results: readonly CellResult[]): string {
  const symbols =
    `**Legend:** ${STATUS_SYMBOLS.pass} pass · ${STATUS_SYMBOLS.flaky} flaky (passed on a retry) · ` +
    `${STATUS_SYMBOLS.fail} fail · ${STATUS_SYMBOLS.error} error (the harness failed, not the join) · ` +
    `${STATUS_SYMBOLS.skipped} skipped · ${NOT_RUN_SYMBOL} not run yet · \`${NOT_PLANNED_SYMBOL}\` not planned`

  const shown = new Set<string>()
  for (const r of latestResults(results)) {
    const id = outcomeSignature(r)
    if (id !== undefined) shown.add(id)
  }
  const known = [...SIGNATURES, UNKNOWN_SIGNATURE].filter(s => shown.has(s.id))
  const strangers = [...shown].filter(id => findSignature(id) === undefined)
  const lines = [
    ...known.map(s => `- **${s.code}** ${escapeMarkdown(s.title)} (${codeSpan(s.id)})`),
    ...strangers.map(id => `- **?** a signature this version does not know (${codeSpan(id)})`)
  ]
  return lines.length === 0 ? symbols : `${symbols}\n\n${lines.join('\n')}`
}

function rowLabel(row: Row, results: readonly CellResult[]): string {
  return `${escapeMarkdown(rowName(row))}<br>${imageVersions(row.image, results, escapeMarkdown)}`
}

/** `debian-12`, or `debian-12 · fixed` for the fixed variant's row. */
export function rowName(row: Row): string {
  return row.variant === 'kubespray' ? row.image : `${row.image} · ${row.variant}`
}

/**
 * The versions read inside the guest; failing that, the catalogue's expected series, marked so that
 * nobody takes a guess for a measurement.
 */
export function imageVersions(
  image: string,
  results: readonly CellResult[],
  escape: (text: string) => string
): string {
  const ofImage = results.filter(r => r.image === image)
  const kernel = ofImage.find(r => r.versions.kernel !== undefined)?.versions.kernel
  const openzfs = ofImage.find(r => r.versions.openzfs !== undefined)?.versions.openzfs
  const expected = findImage(image)?.expected

  if (kernel === undefined && openzfs === undefined) {
    if (expected === undefined) return 'versions unknown'
    const series = `kernel ${expected.kernelSeries} · OpenZFS ${expected.openzfsSeries}`
    return `${escape(series)} (expected; not booted)`
  }
  const part = (label: string, read: string | undefined, series: string | undefined): string => {
    if (read !== undefined) return `${label} ${escape(read)}`
    if (series !== undefined) return `${label} ${escape(series)} (expected; not read)`
    return `${label} unknown`
  }
  return [
    part('kernel', kernel, expected?.kernelSeries),
    part('OpenZFS', openzfs, expected?.openzfsSeries)
  ].join(' · ')
}

function key(c: Coordinates): string {
  return `${c.image}/${c.snapshotter}/${c.tool}/${c.variant}`
}
