import { makeCell, type Cell } from '../plan/cell.js'
import type { Tier } from '../plan/axes.js'

/** Versions read inside the guest; a field is absent when the node never told us. */
export interface NodeVersions {
  readonly kernel?: string
  readonly openzfs?: string
  readonly containerd?: string
  readonly runc?: string
  /** The cell's image tool, e.g. `nerdctl 2.0.3`. */
  readonly tool?: string
}

/**
 * What one tier concluded about one cell. Tagged by `status`: each status carries exactly the
 * fields that make sense for it, so a `fail` without a signature cannot be built.
 */
export type Outcome =
  | { readonly status: 'pass' }
  | { readonly status: 'flaky'; readonly failedAttempts: number; readonly signature: string }
  | {
      readonly status: 'fail'
      readonly signature: string
      readonly message: string
      readonly excerpt?: string
    }
  | { readonly status: 'error'; readonly message: string; readonly excerpt?: string }
  | { readonly status: 'skipped'; readonly reason: string }

export type CellStatus = Outcome['status']
export const CELL_STATUSES: readonly CellStatus[] = ['pass', 'fail', 'error', 'skipped', 'flaky']

export type TierOutcome = Outcome & {
  readonly tier: Tier
  readonly attempts: number
  readonly durationSeconds: number
}

export const FINDING_LEVELS = ['failure', 'warning', 'notice'] as const
export type FindingLevel = (typeof FINDING_LEVELS)[number]

/**
 * Something the static lint tier found at a place in the kubespray checkout, e.g. a template that
 * ignores `containerd_snapshotter`. Becomes a check-run annotation at that file and line.
 */
export interface Finding {
  /** Relative to the kubespray checkout (which is the repository the check run belongs to). */
  readonly path: string
  /** 1-based. */
  readonly line: number
  readonly level: FindingLevel
  readonly message: string
  /** The signature the finding predicts, when it predicts one. */
  readonly signature?: string
}

/** The probe's check of lint's prediction for a cell (lint and probe both ran on a checkout). */
export interface LintCheck {
  readonly agrees: boolean
  /** Each aspect where lint's prediction and what the probe saw differ, in words. */
  readonly differences: readonly string[]
}

/** A cell's result as written to results.jsonl / results.json (schema in README). */
export type CellResult = Outcome &
  Cell & {
    /** The tier whose outcome decided the status; null when no tier ran at all. */
    readonly tier: Tier | null
    readonly durationSeconds: number
    readonly versions: NodeVersions
    /** Paths relative to the output directory. */
    readonly logs: readonly string[]
    /** Every tier that was attempted, in tier order. */
    readonly tiers: readonly TierOutcome[]
    readonly finishedAt: string
    /** What the lint tier found in the kubespray checkout for this cell; absent when it found nothing. */
    readonly findings?: readonly Finding[]
    /**
     * What the matrix cell must say besides its status: where the node's configuration came from when
     * it was not the checkout (the built-in model), a tool stood in for. Absent when there is nothing.
     */
    readonly notes?: readonly string[]
    /** For a failed cell: the checkout's lines that gave each tool its snapshotter. */
    readonly cause?: string
    readonly lintCheck?: LintCheck
  }

export function isPassing(status: CellStatus): boolean {
  return status === 'pass' || status === 'flaky'
}

export function isFailing(status: CellStatus): boolean {
  return status === 'fail' || status === 'error'
}

/** Human text for any outcome: the failure message, the skip reason, or nothing for a pass. */
export function outcomeText(o: Outcome): string {
  switch (o.status) {
    case 'pass':
      return ''
    case 'flaky':
      return `passed after ${o.failedAttempts} failed attempt(s) (${o.signature})`
    case 'fail':
    case 'error':
      return o.message
    case 'skipped':
      return o.reason
    default: {
      const never: never = o
      return never
    }
  }
}

/** The signature id of a failure (or of the failed attempts of a flaky cell). */
export function outcomeSignature(o: Outcome): string | undefined {
  return o.status === 'fail' || o.status === 'flaky' ? o.signature : undefined
}

/** The cell a result is about, for grouping and naming sets of results by their axes. */
export function cellOfResult(r: Pick<CellResult, 'image' | 'snapshotter' | 'tool' | 'variant'>): Cell {
  return makeCell(r.image, r.snapshotter, r.tool, r.variant)
}
