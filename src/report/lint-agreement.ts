import type { CellResult } from '../results/cell-result.js'
import { codeSpan, escapeMarkdown } from './escape.js'

/** How often lint's prediction matched what the probe saw, over the cells where both ran. */
export interface LintAgreement {
  readonly checked: number
  readonly agreeing: number
  readonly disagreements: readonly { readonly id: string; readonly differences: readonly string[] }[]
}

export function lintAgreement(results: readonly CellResult[]): LintAgreement {
  const checked = results.filter(r => r.lintCheck !== undefined)
  return {
    checked: checked.length,
    agreeing: checked.filter(r => r.lintCheck!.agrees).length,
    disagreements: checked
      .filter(r => !r.lintCheck!.agrees)
      .map(r => ({ id: r.id, differences: r.lintCheck!.differences }))
  }
}

/**
 * The count line, and with `full` every disagreement; '' when no cell had both tiers. A disagreement
 * is lint reading the checkout wrong (or the render doing so), worth a look whatever the cell's status.
 */
export function renderLintAgreement(results: readonly CellResult[], full: boolean): string {
  const a = lintAgreement(results)
  if (a.checked === 0) return ''
  const line = `**Lint vs probe:** lint's prediction matched what the probe saw on ${a.agreeing} of ${a.checked} cells.`
  if (!full || a.disagreements.length === 0) return line
  const items = a.disagreements.map(
    d => `- ${codeSpan(d.id)}: ${d.differences.map(escapeMarkdown).join('; ')}`
  )
  return [line, ...items].join('\n')
}
