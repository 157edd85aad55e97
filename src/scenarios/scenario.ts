import type { Config } from '../inputs/config.js'
import type { ImageSpec } from '../images/catalogue.js'
import type { Evidence } from '../diagnose/classify.js'
import type { Log } from '../log/log.js'
import type { Tier } from '../plan/axes.js'
import type { Cell } from '../plan/cell.js'
import type { Finding, LintCheck, NodeVersions } from '../results/cell-result.js'

/**
 * A tier's test. One interface for lint, probe, join and rejoin: `open` prepares what every cell of one
 * image shares (nothing for lint, a VM for probe, a control plane for join), then each cell runs on it.
 */
export interface Scenario {
  readonly tier: Tier
  open(image: ImageSpec, context: ScenarioContext): Promise<Opened>
}

export type Opened =
  | { readonly kind: 'ready'; readonly session: ScenarioSession }
  | { readonly kind: 'unavailable'; readonly reason: string }

export interface ScenarioSession {
  run(cell: Cell, attempt: AttemptContext): Promise<Attempt>
  /**
   * Asked after a cell ends in an error: null while the session's nodes can still run cells, else why
   * not (a VM that stopped answering). The session's remaining cells then end at once, saying so.
   */
  health?(): Promise<string | null>
  /** Always called, also after a failure, timeout or cancel. */
  close(): Promise<void>
}

export interface ScenarioContext {
  readonly config: Config
  readonly log: Log
  readonly signal: AbortSignal
  /** Scratch space for the run (keys, disk overlays), removed when the run ends. */
  readonly workDir: string
  /** Absolute directory for an image's shared logs (serial console of its VM). */
  readonly imageLogDir: string
  /** The image's cells this run will run in this tier, in order (the probe renders them all at once). */
  readonly cells: readonly Cell[]
}

export interface AttemptContext {
  readonly attempt: number
  /** Aborted on timeout or cancel; the scenario must stop its commands promptly. */
  readonly signal: AbortSignal
  /** Absolute directory for this cell's logs in this tier. */
  readonly logDir: string
}

/**
 * What a scenario saw, before diagnosis. A `fail` is the system under test failing (diagnosed into a
 * signature); an `error` is the harness failing (the cell could not be tested).
 */
export type Verdict =
  | { readonly kind: 'pass' }
  | {
      readonly kind: 'fail'
      readonly message: string
      readonly evidence: readonly Evidence[]
      /** Set by a scenario that knows the signature without reading logs (the lint tier's predictions). */
      readonly signature?: string
    }
  | { readonly kind: 'error'; readonly message: string; readonly evidence: readonly Evidence[] }
  | { readonly kind: 'skipped'; readonly reason: string }

export interface Attempt {
  readonly verdict: Verdict
  readonly versions: NodeVersions
  /** Absolute paths of the logs this attempt wrote. */
  readonly logs: readonly string[]
  /** Places in the kubespray checkout the attempt points at (the lint tier's findings). */
  readonly findings?: readonly Finding[]
  /** Shown in the matrix cell itself (a stood-in tool, the model instead of a checkout). */
  readonly notes?: readonly string[]
  readonly cause?: string
  readonly lintCheck?: LintCheck
}
