import { findSignature, type Signature } from '../diagnose/signatures.js'
import { describeCells } from '../plan/cell-set.js'
import type { Cell } from '../plan/cell.js'
import { cellOfResult, type CellResult } from '../results/cell-result.js'
import { codeBlock, codeSpan, escapeMarkdown } from './escape.js'
import { STATUS_SYMBOLS, signatureCode } from './symbols.js'

/** Options of {@link renderFailureDetails}. */
export interface DetailsOptions {
  /** Include the log excerpt (the largest part, and the first dropped when the report is too long). */
  readonly excerpt: boolean
}

/**
 * A collapsible `<details>` section explaining one failed, errored or flaky cell: tier, signature,
 * root cause and fix, message, excerpt and log paths. Empty for a cell that passed or was skipped.
 */
export function renderFailureDetails(result: CellResult, opts: DetailsOptions): string {
  const tier = `- **Tier:** ${result.tier ?? 'none (no tier ran)'}`
  switch (result.status) {
    case 'pass':
    case 'skipped':
      return ''
    case 'fail': {
      const signature = findSignature(result.signature)
      const title = escapeMarkdown(signature?.title ?? 'unknown signature')
      return section(
        `${summaryPrefix(result)}: ${signatureCode(result.signature)} ${title}`,
        [
          tier,
          signatureLine(result.signature, signature),
          `- **Message:** ${escapeMarkdown(result.message)}`,
          ...(result.cause === undefined ? [] : [`- **In the checkout:** ${escapeMarkdown(result.cause)}`]),
          ...explanation(signature),
          ...logsLine(result)
        ],
        opts.excerpt ? result.excerpt : undefined
      )
    }
    case 'error':
      return section(
        `${summaryPrefix(result)}: harness error`,
        [tier, `- **Message:** ${escapeMarkdown(result.message)}`, ...logsLine(result)],
        opts.excerpt ? result.excerpt : undefined
      )
    case 'flaky': {
      const signature = findSignature(result.signature)
      return section(
        `${summaryPrefix(result)}: passed after ${result.failedAttempts} failed attempt(s), ` +
          signatureCode(result.signature),
        [
          tier,
          `- **Failed attempts:** ${result.failedAttempts}`,
          signatureLine(result.signature, signature),
          ...explanation(signature),
          ...logsLine(result)
        ],
        undefined
      )
    }
    default: {
      const never: never = result
      return never
    }
  }
}

/**
 * The skipped cells grouped by identical reason, one list item per reason, so that 200 cells skipped
 * for one reason take one line. Cell ids are listed only for groups of at most `listUpTo` cells
 * (default 5); larger groups show the count alone. Empty when nothing was skipped.
 */
export function renderSkipReasons(results: readonly CellResult[], listUpTo = 5): string {
  const all = results.map(cellOfResult)
  const byReason = new Map<string, Cell[]>()
  for (const r of results) {
    if (r.status !== 'skipped') continue
    const cells = byReason.get(r.reason) ?? []
    cells.push(cellOfResult(r))
    byReason.set(r.reason, cells)
  }
  return [...byReason]
    .map(([reason, cells]) => {
      const count = `**${cells.length} ${cells.length === 1 ? 'cell' : 'cells'}:** ${escapeMarkdown(reason)}`
      const which =
        cells.length <= listUpTo
          ? cells.map(c => codeSpan(c.id)).join(', ')
          : codeSpan(describeCells(cells, all))
      return `- ${count} (${which})`
    })
    .join('\n')
}

function summaryPrefix(result: CellResult): string {
  return `${STATUS_SYMBOLS[result.status]} <b>${escapeMarkdown(result.id)}</b>`
}

function signatureLine(id: string, signature: Signature | undefined): string {
  return signature === undefined
    ? `- **Signature:** ${codeSpan(id)}, which this version's catalogue does not know`
    : `- **Signature:** ${escapeMarkdown(signature.title)} (${codeSpan(id)})`
}

/** The catalogue's own Markdown (it quotes commands in code spans), so it is not escaped. */
function explanation(signature: Signature | undefined): string[] {
  if (signature === undefined) return []
  return [`- **Root cause:** ${signature.rootCause}`, `- **Fix:** ${signature.fix}`]
}

function logsLine(result: CellResult): string[] {
  return result.logs.length === 0 ? [] : [`- **Logs:** ${result.logs.map(codeSpan).join(', ')}`]
}

/**
 * Blank lines around the Markdown body matter: without them GitHub treats the body as part of the
 * HTML block and renders it raw.
 */
function section(summary: string, lines: readonly string[], excerpt: string | undefined): string {
  const parts = [`<details><summary>${summary}</summary>`, lines.join('\n')]
  if (excerpt !== undefined && excerpt !== '') parts.push(`Log excerpt:\n\n${codeBlock(excerpt)}`)
  parts.push('</details>')
  return parts.join('\n\n')
}
