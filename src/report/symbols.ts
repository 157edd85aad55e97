import { findSignature } from '../diagnose/signatures.js'
import type { CellStatus, Outcome } from '../results/cell-result.js'

/** How each status is drawn in the matrix, the legend and the details. */
export const STATUS_SYMBOLS: Readonly<Record<CellStatus, string>> = {
  pass: '✅',
  flaky: '🔁',
  fail: '❌',
  error: '⚠️',
  skipped: '⏭️'
}

/** A planned cell with no result yet (the run was cancelled, or is still going). */
export const NOT_RUN_SYMBOL = '⏳'

/** A snapshotter × tool combination that was not planned for this image. */
export const NOT_PLANNED_SYMBOL = '·'

/** The short code of a signature id, `?` when this catalogue does not know the id. */
export function signatureCode(id: string): string {
  return findSignature(id)?.code ?? '?'
}

/** The matrix cell text for an outcome: its symbol, plus the signature code for fail and flaky. */
export function outcomeLabel(o: Outcome): string {
  switch (o.status) {
    case 'fail':
    case 'flaky':
      return `${STATUS_SYMBOLS[o.status]} ${signatureCode(o.signature)}`
    case 'pass':
    case 'error':
    case 'skipped':
      return STATUS_SYMBOLS[o.status]
    default: {
      const never: never = o
      return never
    }
  }
}
