import { classify } from '../diagnose/classify.js'
import { UNKNOWN_SIGNATURE } from '../diagnose/signatures.js'
import type { Cell } from '../plan/cell.js'
import type { Finding, NodeVersions, Outcome } from '../results/cell-result.js'
import type { Attempt, ScenarioSession, Verdict } from '../scenarios/scenario.js'
import { errorMessage } from '../text/error-message.js'

export interface AttemptPolicy {
  readonly retries: number
  readonly timeoutMs: number
  /** Cancels the whole run (SIGINT/SIGTERM): no further attempt starts. */
  readonly signal: AbortSignal
}

export interface TierRun {
  readonly outcome: Outcome
  readonly attempts: number
  readonly versions: NodeVersions
  readonly logs: readonly string[]
  /** The last attempt's findings (each attempt reads the same checkout). */
  readonly findings: readonly Finding[]
  /** The last attempt's notes, cause and lint check. */
  readonly remarks: Remarks
}

export type Remarks = Pick<Attempt, 'notes' | 'cause' | 'lintCheck'>

/**
 * Runs one cell in one tier: each attempt under the cell timeout, failed attempts retried, failures
 * diagnosed into a signature. A pass after failed attempts is flaky, never plain pass.
 */
export async function runAttempts(
  session: ScenarioSession,
  cell: Cell,
  policy: AttemptPolicy,
  logDirFor: (attempt: number) => string
): Promise<TierRun> {
  const failed: Outcome[] = []
  let versions: NodeVersions = {}
  const logs: string[] = []
  let findings: readonly Finding[] = []
  let remarks: Remarks = {}
  for (let attempt = 1; attempt <= policy.retries + 1; attempt++) {
    if (policy.signal.aborted) {
      return {
        outcome: { status: 'error', message: 'cancelled' },
        attempts: attempt - 1,
        versions,
        logs,
        findings,
        remarks
      }
    }
    const result = await attemptWithTimeout(session, cell, attempt, policy, logDirFor(attempt))
    versions = { ...versions, ...result.versions }
    logs.push(...result.logs)
    findings = result.findings ?? findings
    remarks = remarksOf(result)
    const outcome = diagnose(result.verdict)
    const run = (o: Outcome, attempts: number): TierRun => ({
      outcome: o,
      attempts,
      versions,
      logs,
      findings,
      remarks
    })
    if (outcome.status === 'pass') {
      const first = failed[0]
      if (first === undefined) return run(outcome, attempt)
      const signature = first.status === 'fail' ? first.signature : UNKNOWN_SIGNATURE.id
      return run({ status: 'flaky', failedAttempts: failed.length, signature }, attempt)
    }
    if (outcome.status === 'skipped') return run(outcome, attempt)
    failed.push(outcome)
  }
  return { outcome: failed.at(-1)!, attempts: failed.length, versions, logs, findings, remarks }
}

function remarksOf(attempt: Attempt): Remarks {
  return {
    ...(attempt.notes !== undefined && attempt.notes.length > 0 ? { notes: attempt.notes } : {}),
    ...(attempt.cause !== undefined ? { cause: attempt.cause } : {}),
    ...(attempt.lintCheck !== undefined ? { lintCheck: attempt.lintCheck } : {})
  }
}

export function diagnose(verdict: Verdict): Outcome {
  switch (verdict.kind) {
    case 'pass':
      return { status: 'pass' }
    case 'skipped':
      return { status: 'skipped', reason: verdict.reason }
    case 'fail': {
      const d = classify(verdict.evidence)
      const signature = verdict.signature ?? d.signature.id
      return { status: 'fail', signature, message: verdict.message, ...excerpt(d.excerpt) }
    }
    case 'error':
      return { status: 'error', message: verdict.message, ...excerpt(classify(verdict.evidence).excerpt) }
    default: {
      const never: never = verdict
      throw new Error(`unknown verdict ${JSON.stringify(never)}`)
    }
  }
}

function excerpt(lines: readonly string[]): { excerpt?: string } {
  return lines.length > 0 ? { excerpt: lines.join('\n') } : {}
}

/**
 * Races the attempt against the cell timeout. On timeout the attempt's signal is aborted so the scenario
 * kills its commands; we do not wait for a scenario that ignores it.
 */
async function attemptWithTimeout(
  session: ScenarioSession,
  cell: Cell,
  attempt: number,
  policy: AttemptPolicy,
  logDir: string
): Promise<Attempt> {
  const controller = new AbortController()
  const onCancel = (): void => controller.abort(new Error('cancelled'))
  policy.signal.addEventListener('abort', onCancel, { once: true })
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<Attempt>(resolve => {
    timer = setTimeout(() => {
      controller.abort(new Error('timed out'))
      resolve(harnessError(`timed out after ${formatMs(policy.timeoutMs)} (cell-timeout)`))
    }, policy.timeoutMs)
  })
  const running = session
    .run(cell, { attempt, signal: controller.signal, logDir })
    .catch((e: unknown) => harnessError(`the scenario crashed: ${errorMessage(e)}`))
  try {
    return await Promise.race([running, timedOut])
  } finally {
    clearTimeout(timer)
    policy.signal.removeEventListener('abort', onCancel)
  }
}

function harnessError(message: string): Attempt {
  return { verdict: { kind: 'error', message, evidence: [] }, versions: {}, logs: [] }
}

export function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  return `${ms / 1000}s`
}
