import type { Cell } from '../plan/cell.js'
import type { CellResult } from '../results/cell-result.js'
import type { BaselineDiff } from './baseline.js'
import { MatrixCounts } from './counts.js'
import { renderFailureDetails, renderSkipReasons } from './details.js'
import { codeSpan, escapeMarkdown, shorten } from './escape.js'
import { renderLintAgreement } from './lint-agreement.js'
import { latestResults, renderLegend, renderMatrixTable } from './matrix-table.js'
import { renderNotes } from './notes.js'
import { STATUS_SYMBOLS, signatureCode } from './symbols.js'

/** What a Markdown report is made from. */
export interface ReportInput {
  /** Shown as the `##` heading; escaped. */
  readonly title: string
  readonly results: readonly CellResult[]
  readonly planned: readonly Cell[]
  /** The comparison with a baseline run, when one was given. */
  readonly gate?: BaselineDiff | undefined
  /** Appended as is: trusted Markdown from the caller, such as a link to the run. */
  readonly footer?: string
  /** What configured the nodes: the checkout tested, or the model when none was given; escaped. */
  readonly kubespray?: string
}

/**
 * The most characters GitHub takes in a comment or an issue body (a check-run summary takes one less);
 * report.md is kept to it too, since it is pasted into comments.
 */
export const GITHUB_MARKDOWN_LIMIT = 65_536

/** Longest failure message quoted in the baseline section; the details section has the rest. */
const GATE_MESSAGE_CHARS = 200

interface Parts {
  readonly heading: string
  readonly summary: string
  readonly table: string
  /** The table's footnotes: never left out, as the marks in the table point at them. */
  readonly notes: string
  readonly lint: { readonly full: string; readonly count: string }
  readonly legend: string
  readonly skipReasons: string
  readonly footer: string
}

interface Shape {
  readonly excerpts: boolean
  /** How many failing cells get a details section; the others are counted in one line. */
  readonly detailCount: number
  readonly gate: 'full' | 'ids' | 'counts'
  readonly skipReasons: boolean
  /** Every disagreement between lint and the probe, or only their count. */
  readonly lintDetails: boolean
  readonly footer: boolean
  readonly legend: boolean
  /** Say that sections were left out (details have their own line). */
  readonly note: boolean
}

/**
 * The whole report as GitHub Markdown of at most `maxChars` characters (default
 * {@link GITHUB_MARKDOWN_LIMIT}). Length is measured in UTF-16 units, which never undercounts
 * GitHub's characters.
 *
 * When the full report is too long it degrades, and never cuts the table: first the log excerpts
 * go, then the details of the last failing cells (replaced by a count pointing at results.json),
 * then all details, then the baseline section shrinks to ids and then to counts, and the skip
 * reasons, footer and legend go. Only if the title, summary and table alone exceed `maxChars` is
 * the result longer than `maxChars`.
 */
export function renderReport(input: ReportInput, maxChars = GITHUB_MARKDOWN_LIMIT): string {
  const results = latestResults(input.results)
  const failing = detailsOrder(results, input.gate)
  const withExcerpts = failing.map(r => renderFailureDetails(r, { excerpt: true }))
  const withoutExcerpts = failing.map(r => renderFailureDetails(r, { excerpt: false }))
  const parts: Parts = {
    heading: `## ${escapeMarkdown(input.title)}`,
    summary: [
      new MatrixCounts(results).summaryLine(),
      ...(input.kubespray === undefined ? [] : [`**Kubespray:** ${escapeMarkdown(input.kubespray)}`])
    ].join('\n\n'),
    table: renderMatrixTable(results, input.planned),
    notes: renderNotes(results),
    lint: { full: renderLintAgreement(results, true), count: renderLintAgreement(results, false) },
    legend: renderLegend(results),
    skipReasons: renderSkipReasons(results),
    footer: input.footer ?? ''
  }
  const render = (shape: Shape): string =>
    compose(parts, input.gate, shape.excerpts ? withExcerpts : withoutExcerpts, shape)
  const fits = (shape: Shape): boolean => render(shape).length <= maxChars

  const n = failing.length
  const full: Shape = {
    excerpts: true,
    detailCount: n,
    gate: 'full',
    skipReasons: true,
    lintDetails: true,
    footer: true,
    legend: true,
    note: false
  }
  const noExcerpts: Shape = { ...full, excerpts: false, lintDetails: false }
  if (fits(full)) return render(full)
  if (fits(noExcerpts)) return render(noExcerpts)

  // More details make a longer report (a section is longer than the digit the count line may lose),
  // so the largest count that fits can be found by bisection.
  let fitting = 0
  let tooMany = n
  while (tooMany - fitting > 1) {
    const mid = Math.floor((fitting + tooMany) / 2)
    if (fits({ ...noExcerpts, detailCount: mid })) fitting = mid
    else tooMany = mid
  }
  const noDetails: Shape = { ...noExcerpts, detailCount: 0 }
  const fallbacks: readonly Shape[] = [
    { ...noExcerpts, detailCount: fitting },
    noDetails,
    { ...noDetails, gate: 'ids', note: true },
    { ...noDetails, gate: 'ids', skipReasons: false, note: true },
    { ...noDetails, gate: 'ids', skipReasons: false, footer: false, note: true },
    { ...noDetails, gate: 'counts', skipReasons: false, footer: false, note: true },
    { ...noDetails, gate: 'counts', skipReasons: false, footer: false, legend: false, note: true },
    { ...noDetails, gate: 'counts', skipReasons: false, footer: false, legend: false, note: false }
  ]
  const shape = fallbacks.find(fits)
  if (shape !== undefined) return render(shape)
  // What is left may still exceed maxChars; the table is returned whole all the same.
  return [parts.heading, parts.summary, parts.table, parts.notes].filter(p => p !== '').join('\n\n') + '\n'
}

function compose(
  parts: Parts,
  gate: BaselineDiff | undefined,
  details: readonly string[],
  shape: Shape
): string {
  const sections: string[] = [parts.heading, parts.summary]
  if (gate !== undefined) sections.push(renderGate(gate, shape.gate))
  sections.push(parts.table)
  if (parts.notes !== '') sections.push(parts.notes)
  if (shape.legend) sections.push(parts.legend)
  const lint = shape.lintDetails ? parts.lint.full : parts.lint.count
  if (lint !== '') sections.push(lint)
  if (shape.skipReasons && parts.skipReasons !== '') {
    sections.push(`### Skipped cells\n\n${parts.skipReasons}`)
  }
  if (details.length > 0) {
    const shown = details.slice(0, shape.detailCount)
    const more = details.length - shown.length
    const moreLine = more > 0 ? [`… and ${more} more failing cells: see results.json`] : []
    sections.push(['### Failures', ...shown, ...moreLine].join('\n\n'))
  }
  if (shape.note) sections.push("_Sections were left out to fit GitHub's size limit: see results.json._")
  if (shape.footer && parts.footer !== '') sections.push(parts.footer)
  return sections.join('\n\n') + '\n'
}

/** Regressions first (they are why anyone reads the report), then failures and errors, then flaky cells. */
function detailsOrder(results: readonly CellResult[], gate: BaselineDiff | undefined): CellResult[] {
  const regressed = new Set(gate?.regressions.map(r => r.id))
  const rank = (r: CellResult): number => {
    if (regressed.has(r.id)) return 0
    return r.status === 'flaky' ? 2 : 1
  }
  return results
    .filter(r => r.status === 'fail' || r.status === 'error' || r.status === 'flaky')
    .map((r, index) => ({ r, index }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.index - b.index)
    .map(({ r }) => r)
}

function renderGate(diff: BaselineDiff, level: Shape['gate']): string {
  const lines = ['### Compared with the baseline']
  const ids = (list: readonly string[]): string => list.map(codeSpan).join(', ')
  const n = diff.regressions.length
  const regressions = `${STATUS_SYMBOLS.fail} ${n} ${n === 1 ? 'regression' : 'regressions'}`

  if (n === 0) lines.push(`**${STATUS_SYMBOLS.pass} No regressions against the baseline.**`)
  else if (level === 'full') {
    lines.push(
      `**${regressions}:** passed in the baseline, fail now.`,
      diff.regressions
        .map(r => {
          const what = r.signature !== undefined ? signatureCode(r.signature) : 'error'
          const message = escapeMarkdown(shorten(r.message, GATE_MESSAGE_CHARS))
          return `- ${STATUS_SYMBOLS[r.now]} ${codeSpan(r.id)} (${what}): ${message}`
        })
        .join('\n')
    )
  } else if (level === 'ids') lines.push(`**${regressions}:** ${ids(diff.regressions.map(r => r.id))}`)
  else lines.push(`**${regressions}** against the baseline.`)

  const listed = (label: string, list: readonly string[]): string =>
    level === 'counts' ? `**${label}:** ${list.length}` : `**${label}, ${list.length}:** ${ids(list)}`
  if (diff.fixes.length > 0) {
    lines.push(
      listed(
        'Fixed (failed in the baseline, pass now)',
        diff.fixes.map(f => f.id)
      )
    )
  }
  if (diff.newCells.length > 0) lines.push(listed('New cells (not in the baseline)', diff.newCells))
  if (diff.missingCells.length > 0) {
    lines.push(listed('Missing cells (in the baseline, not in this run)', diff.missingCells))
  }
  if (diff.notRun.length > 0) {
    const label = 'Not run (passed in the baseline, skipped now)'
    lines.push(
      level === 'full'
        ? `**${label}, ${diff.notRun.length}:**\n` +
            diff.notRun.map(r => `- ${codeSpan(r.id)}: ${escapeMarkdown(r.reason)}`).join('\n')
        : listed(
            label,
            diff.notRun.map(r => r.id)
          )
    )
  }
  return lines.join('\n\n')
}
