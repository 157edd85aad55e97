import type { DoctorNodes } from '../doctor/resolve-targets.js'
import type { ImageSpec } from '../images/catalogue.js'
import type { Tier } from '../plan/axes.js'
import type { CellPattern } from '../plan/pattern.js'
import type { Axes } from '../plan/plan.js'
import type { Shard } from '../plan/shard.js'
import type { ResultsDocument } from '../results/results-document.js'

/** Where the Ansible that runs kubespray comes from. */
export const ANSIBLE_SOURCES = ['auto', 'venv', 'system'] as const
export type AnsibleSource = (typeof ANSIBLE_SOURCES)[number]

/** The variables every cell sets itself: `kubespray-vars` may not set them. */
export const CELL_VARIABLES = [
  'container_manager',
  'containerd_snapshotter',
  'image_command_tool',
  'nerdctl_snapshotter',
  'nerdctl_image_pull_command'
] as const

export const MODES = ['all', 'plan', 'run', 'report', 'images', 'diagnose', 'doctor'] as const
export type Mode = (typeof MODES)[number]

export const COMMENT_MODES = ['always', 'changes', 'failures', 'off'] as const
export type CommentMode = (typeof COMMENT_MODES)[number]

export const FAIL_ON = ['regressions', 'failures', 'never'] as const

export const TRACKING_ISSUE = ['auto', 'always', 'off'] as const
export type TrackingIssueMode = (typeof TRACKING_ISSUE)[number]

export const UPLOAD_RESULTS = ['auto', 'always', 'never'] as const
export type UploadResults = (typeof UPLOAD_RESULTS)[number]

export const GUEST_NETWORK = ['restricted', 'outbound'] as const
export type GuestNetwork = (typeof GUEST_NETWORK)[number]

export const RUNNER_SETUP = ['auto', 'always', 'never'] as const

/** What the probe's nodes run: the image's containerd, or the one the checkout pins. */
export const PROBE_BINARIES = ['debian', 'checkout'] as const
export type ProbeBinaries = (typeof PROBE_BINARIES)[number]
export type RunnerSetup = (typeof RUNNER_SETUP)[number]
export type FailOn = (typeof FAIL_ON)[number]

/** Everything the pipeline needs, validated. Built only by parseConfig; nothing downstream reads raw inputs. */
export interface Config {
  readonly mode: Mode
  readonly title: string
  /** mode diagnose: absolute paths and globs of the logs to read; empty otherwise. */
  readonly logs: readonly string[]
  /** mode doctor: the nodes to inspect and how to log in; no hosts and no inventory otherwise. */
  readonly doctor: DoctorNodes
  readonly axes: Axes & { readonly images: readonly ImageSpec[] }
  readonly tiers: readonly Tier[]
  readonly include: readonly CellPattern[]
  readonly exclude: readonly CellPattern[]
  /** Absolute path, or null when none was given (lint and join cells are then skipped). */
  readonly kubesprayPath: string | null
  readonly kubesprayRef: string | null
  /** `kubespray-vars`: group vars for every join; empty when none were given. */
  readonly kubesprayVars: Readonly<Record<string, unknown>>
  readonly ansible: AnsibleSource
  readonly probeBinaries: ProbeBinaries
  readonly guestNetwork: GuestNetwork
  readonly baseline: { readonly path: string; readonly document: ResultsDocument } | null
  readonly writeBaseline: string | null
  readonly failOn: FailOn
  /** `fail-on-empty`: a run in which no tier tested a cell fails, whatever `failOn` says. */
  readonly failOnEmpty: boolean
  readonly shard: Shard | null
  /** mode plan: number of jobs, or null for one per image. */
  readonly shards: number | null
  /** Debian mirror URL, without a trailing slash. */
  readonly mirror: string
  /** Absolute directory of the node image cache. */
  readonly imageCache: string
  readonly runnerSetup: RunnerSetup
  readonly cellTimeoutMs: number
  readonly retries: number
  readonly commentMode: CommentMode
  readonly githubToken: string | null
  readonly checkRun: boolean
  readonly trackingIssue: TrackingIssueMode
  readonly issueLabel: string
  readonly issueHistory: number
  readonly closeIssue: boolean
  readonly uploadResults: UploadResults
  /** Prefix of uploaded and downloaded results artifacts. */
  readonly artifactName: string
  /** mode report: the run whose artifacts are merged; null is the current run. */
  readonly resultsRunId: number | null
  /** Absolute. */
  readonly outputDir: string
}
