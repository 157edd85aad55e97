import { SIGNATURES, UNKNOWN_SIGNATURE, findSignature } from '../diagnose/signatures.js'
import { findImage } from '../images/catalogue.js'
import { SNAPSHOTTERS, TOOLS, VARIANTS, type Snapshotter, type Tool, type Variant } from '../plan/axes.js'
import type { Cell } from '../plan/cell.js'
import { outcomeSignature, type CellResult } from '../results/cell-result.js'
import { codeSpan, escapeMarkdown } from './escape.js'
import { noteMarks, noteNumbers } from './notes.js'
import { NOT_PLANNED_SYMBOL, NOT_RUN_SYMBOL, STATUS_SYMBOLS, outcomeLabel } from './symbols.js'

type Coordinates = Pick<Cell, 'image' | 'snapshotter' | 'tool' | 'variant'>

interface Row {
  readonly image: string
  readonly variant: Variant
}

interface Column {
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

/**
 * The pass/fail matrix as a Markdown table: one row per image and variant (images in plan order, the
 * fixed variant right under the kubespray one, so the fix shows next to the failure), one column per
 * snapshotter × tool combination planned (in SNAPSHOTTERS then TOOLS order).
 *
 * A result for a cell the plan does not contain is shown anyway (its row or column is added) rather
 * than hidden: the table is the one part of the report that is never shortened, so it must show
 * every result.
 */
export function renderMatrixTable(results: readonly CellResult[], planned: readonly Cell[]): string {
  const latest = new Map(latestResults(results).map(r => [key(r), r]))
  const plannedKeys = new Set(planned.map(key))
  const everyCell: readonly Coordinates[] = [...planned, ...results]
  if (everyCell.length === 0) return '_No cells planned._'

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
  const cellText = (row: Row, column: Column): string => {
    const k = key({ ...row, ...column })
    const result = latest.get(k)
    if (result !== undefined) return `${outcomeLabel(result)}${noteMarks(result, notes)}`
    return plannedKeys.has(k) ? NOT_RUN_SYMBOL : NOT_PLANNED_SYMBOL
  }

  const header = `| image | ${columns.map(c => `${c.snapshotter}<br>${c.tool}`).join(' | ')} |`
  const separator = `| --- | ${columns.map(() => ':-:').join(' | ')} |`
  const lines = rows.map(
    row => `| ${rowLabel(row, results)} | ` + `${columns.map(c => cellText(row, c)).join(' | ')} |`
  )
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
  const variant = row.variant === 'kubespray' ? '' : ` · ${row.variant}`
  return `${escapeMarkdown(row.image)}${variant}<br>${imageVersions(row.image, results)}`
}

/**
 * The versions read inside the guest; failing that, the catalogue's expected series, marked so that
 * nobody takes a guess for a measurement.
 */
function imageVersions(image: string, results: readonly CellResult[]): string {
  const ofImage = results.filter(r => r.image === image)
  const kernel = ofImage.find(r => r.versions.kernel !== undefined)?.versions.kernel
  const openzfs = ofImage.find(r => r.versions.openzfs !== undefined)?.versions.openzfs
  const expected = findImage(image)?.expected

  if (kernel === undefined && openzfs === undefined) {
    if (expected === undefined) return 'versions unknown'
    const series = `kernel ${expected.kernelSeries} · OpenZFS ${expected.openzfsSeries}`
    return `${escapeMarkdown(series)} (expected; not booted)`
  }
  const part = (label: string, read: string | undefined, series: string | undefined): string => {
    if (read !== undefined) return `${label} ${escapeMarkdown(read)}`
    if (series !== undefined) return `${label} ${escapeMarkdown(series)} (expected; not read)`
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
