import type { Evidence } from '../../diagnose/classify.js'
import type { Verdict } from '../scenario.js'

/** A failure's or error's verdict with the worker's journals added for diagnosis; a pass as it is. */
export function withEvidence(verdict: Verdict, more: readonly Evidence[]): Verdict {
  return verdict.kind === 'fail' || verdict.kind === 'error'
    ? { ...verdict, evidence: [...verdict.evidence, ...more] }
    : verdict
}

/**
 * The rejoin tier's verdict from its four steps: the first scale (expected to fail on a broken cell),
 * scale again without reset (what users try first), reset.yml, and scale after reset. The message
 * reports every step; the cell fails when a rejoin step fails, and is the harness's error when one
 * could not be run. The first scale's outcome is the join tier's business, not this one's.
 */
export function rejoinVerdict(steps: readonly Verdict[], evidence: readonly Evidence[]): Verdict {
  const [first, again, reset, afterReset] = steps as [Verdict, Verdict, Verdict, Verdict]
  const text = (v: Verdict) => (v.kind === 'pass' ? 'ok' : v.kind === 'skipped' ? v.reason : v.message)
  const summary = `first scale: ${text(first)}; scale again without reset: ${text(again)}; reset.yml: ${text(reset)}; scale after reset: ${text(afterReset)}`
  const rejoin = [again, reset, afterReset]
  const harness = rejoin.find(v => v.kind === 'error')
  if (harness?.kind === 'error') {
    return { kind: 'error', message: summary, evidence: [...harness.evidence, ...evidence] }
  }
  const failed = rejoin.flatMap(v => (v.kind === 'fail' ? [v] : []))
  if (failed.length === 0) return { kind: 'pass' }
  return { kind: 'fail', message: summary, evidence: [...failed.flatMap(v => v.evidence), ...evidence] }
}
