import { mkdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { Config } from '../inputs/config.js'
import { findImage, type ImageSpec } from '../images/catalogue.js'
import type { Log } from '../log/log.js'
import type { Tier } from '../plan/axes.js'
import type { Cell } from '../plan/cell.js'
import type { CellResult, TierOutcome } from '../results/cell-result.js'
import type { ResultsJournal } from '../results/results-store.js'
import { describeUntested, untestedGroups } from '../results/untested.js'
import type { Scenario, ScenarioSession } from '../scenarios/scenario.js'
import { runAttempts, type TierRun } from './attempts.js'
import { decideCell } from './decide.js'
import { inParallel } from './in-parallel.js'
import { ProgressLog } from './progress.js'
import { errorMessage } from '../text/error-message.js'

export interface RunCellsDeps {
  readonly config: Config
  readonly scenarioFor: (tier: Tier) => Scenario
  readonly log: Log
  readonly journal: ResultsJournal
  /** Aborted by SIGINT/SIGTERM: the cell in flight is stopped, no new one starts, sessions are closed. */
  readonly signal: AbortSignal
  readonly workDir: string
  readonly now?: () => Date
  /**
   * How many images run at once (default 1). Above 1 the per-cell log groups are left out: Actions
   * cannot show interleaved groups, so lines print plainly, each cell still ends with its progress line.
   */
  readonly concurrency?: number
}

/** What the images running at once share: the outcomes and results so far, the progress count. */
interface RunState {
  readonly outcomes: Map<string, TierOutcome[]>
  readonly results: Map<string, CellResult>
  readonly total: number
  done: number
  readonly progress: ProgressLog
  /** A log group per cell when one image runs at a time; plain lines otherwise. */
  readonly group: <T>(title: string, body: () => Promise<T>) => Promise<T>
  readonly now: () => Date
}

/**
 * Runs the cells image by image, and within an image tier by tier, so one VM (or control plane) serves
 * every cell of its image. After each cell in each tier the cell's updated result goes to the journal.
 */
export async function runCells(cells: readonly Cell[], deps: RunCellsDeps): Promise<CellResult[]> {
  const { config, log } = deps
  const total = cells.length * config.tiers.length
  const concurrency = Math.max(1, deps.concurrency ?? 1)
  const state: RunState = {
    outcomes: new Map(),
    results: new Map(),
    total,
    done: 0,
    progress: new ProgressLog(line => log.info(line), total),
    group: (title, body) => (concurrency === 1 ? log.group(title, body) : body()),
    now: deps.now ?? (() => new Date())
  }
  await inParallel([...groupByImage(cells)], concurrency, async ([imageName, imageCells]) => {
    const image = findImage(imageName)
    if (image === undefined) throw new Error(`image ${imageName} is not in the catalogue`)
    for (const tier of config.tiers) {
      if (deps.signal.aborted) break
      await runTierOnImage(tier, image, imageCells, deps, state)
    }
  })
  return finishedCells(cells, deps, state)
}

/** One tier over an image's cells, in one session of its scenario (one VM, one control plane). */
async function runTierOnImage(
  tier: Tier,
  image: ImageSpec,
  imageCells: readonly Cell[],
  deps: RunCellsDeps,
  state: RunState
): Promise<void> {
  const { config, log, signal } = deps
  const imageLogDir = join(config.outputDir, 'logs', image.name)
  mkdirSync(imageLogDir, { recursive: true })
  const opened = await openSafely(deps.scenarioFor(tier), image, {
    config,
    log,
    signal,
    imageLogDir,
    workDir: deps.workDir,
    cells: imageCells
  })
  // Set when the session's VM stopped answering: its remaining cells end at once, naming it.
  let dead: string | null = null
  try {
    for (const cell of imageCells) {
      if (signal.aborted) break
      const index = ++state.done
      const started = Date.now()
      // A tier that is unavailable on this image skips every cell at once: no log group to open.
      const wrap = <T>(body: () => Promise<T>): Promise<T> =>
        opened.kind === 'unavailable'
          ? body()
          : state.group(`[${index}/${state.total}] ${tier} ${cell.id}`, body)
      const tierOutcome = await wrap(async () => {
        const run =
          dead === null
            ? await runTier(opened, cell, tier, deps)
            : brokenRun(`not run: ${dead.split(';')[0]!}`)
        const durationSeconds = (Date.now() - started) / 1000
        return {
          ...run,
          outcome: { ...run.outcome, tier, attempts: run.attempts, durationSeconds } as TierOutcome
        }
      })
      // A cancel during the cell cut it short: what it ended with (ssh killed, containerd "not
      // started") says nothing about the node, so the cell is not run, not an error.
      if (signal.aborted) break
      // An error may be the VM itself: asked once, a dead VM ends the session's remaining cells now.
      if (dead === null && tierOutcome.outcome.status === 'error' && opened.kind === 'ready') {
        dead = (await opened.session.health?.()) ?? null
        if (dead !== null) {
          tierOutcome.outcome = { ...tierOutcome.outcome, message: `${tierOutcome.outcome.message}; ${dead}` }
          log.warning(`${tier} on ${image.name}: ${dead.split(';')[0]!}: its remaining cells end now`)
        }
      }
      const result = recordTier(cell, tierOutcome, config, state)
      // Written before it is told: a cell the log calls done is in results.jsonl, even if a SIGKILL
      // comes right after.
      deps.journal.append(result)
      state.progress.report(index, tier, cell, tierOutcome.outcome)
    }
  } finally {
    if (opened.kind === 'ready') await closeSafely(opened.session, tier, image.name, log)
  }
}

/** The cell's result with this tier's outcome added to what the tiers before it found. */
function recordTier(
  cell: Cell,
  tierOutcome: Omit<TierRun, 'outcome'> & { readonly outcome: TierOutcome },
  config: Config,
  state: RunState
): CellResult {
  const cellOutcomes = [...(state.outcomes.get(cell.id) ?? []), tierOutcome.outcome]
  state.outcomes.set(cell.id, cellOutcomes)
  const previous = state.results.get(cell.id)
  const findings = [...(previous?.findings ?? []), ...tierOutcome.findings]
  const notes = [...new Set([...(previous?.notes ?? []), ...(tierOutcome.remarks.notes ?? [])])]
  const cause = tierOutcome.remarks.cause ?? previous?.cause
  const lintCheck = tierOutcome.remarks.lintCheck ?? previous?.lintCheck
  const result = buildResult(cell, config, cellOutcomes, {
    versions: { ...previous?.versions, ...tierOutcome.versions },
    logs: [...(previous?.logs ?? []), ...tierOutcome.logs.map(p => relative(config.outputDir, p))],
    finishedAt: state.now().toISOString(),
    ...(findings.length > 0 ? { findings } : {}),
    ...(notes.length > 0 ? { notes } : {}),
    ...(cause !== undefined ? { cause } : {}),
    ...(lintCheck !== undefined ? { lintCheck } : {})
  })
  state.results.set(cell.id, result)
  return result
}

/** The results to report, in the order of the cells; after a cancel, only cells every tier ran. */
function finishedCells(cells: readonly Cell[], deps: RunCellsDeps, state: RunState): CellResult[] {
  const { config, log, signal } = deps
  // After a cancel a cell counts only when every tier ran it: a lint prediction standing alone for a
  // cell the probe never reached would read as that cell's result.
  const complete = (c: Cell): boolean =>
    !signal.aborted || (state.outcomes.get(c.id)?.length ?? 0) === config.tiers.length
  const finished = cells.flatMap(c => (complete(c) ? (state.results.get(c.id) ?? []) : []))
  if (signal.aborted && finished.length < cells.length) {
    log.warning(
      `Cancelled: ${cells.length - finished.length} of ${cells.length} cells not run (the report shows them as not run)`
    )
  }
  for (const g of untestedGroups(finished)) {
    if (g.status === 'skipped' && g.cells.length > 1) log.info(describeUntested(g, cells))
  }
  return finished
}

type OpenResult =
  | { kind: 'ready'; session: ScenarioSession }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'broken'; message: string }

async function openSafely(
  scenario: Scenario,
  image: ImageSpec,
  context: Parameters<Scenario['open']>[1]
): Promise<OpenResult> {
  try {
    return await scenario.open(image, context)
  } catch (e) {
    return {
      kind: 'broken',
      message: `could not prepare ${image.name} for ${scenario.tier}: ${errorMessage(e)}`
    }
  }
}

async function runTier(opened: OpenResult, cell: Cell, tier: Tier, deps: RunCellsDeps) {
  const { config, signal } = deps
  switch (opened.kind) {
    case 'unavailable':
      return {
        outcome: { status: 'skipped' as const, reason: opened.reason },
        attempts: 0,
        versions: {},
        logs: [],
        findings: [],
        remarks: {}
      }
    case 'broken':
      return brokenRun(opened.message)
    case 'ready':
      return runAttempts(
        opened.session,
        cell,
        { retries: config.retries, timeoutMs: config.cellTimeoutMs, signal },
        attempt => {
          const dir = join(
            config.outputDir,
            'logs',
            cell.image,
            cell.snapshotter,
            cell.tool,
            cell.variant,
            tier,
            `attempt-${attempt}`
          )
          mkdirSync(dir, { recursive: true })
          return dir
        }
      )
    default: {
      const never: never = opened
      throw new Error(`unexpected ${JSON.stringify(never)}`)
    }
  }
}

/** A tier run that could not happen: an error, no attempt made. */
function brokenRun(message: string): TierRun {
  return {
    outcome: { status: 'error' as const, message },
    attempts: 0,
    versions: {},
    logs: [],
    findings: [],
    remarks: {}
  }
}

async function closeSafely(session: ScenarioSession, tier: Tier, image: string, log: Log): Promise<void> {
  try {
    await session.close()
  } catch (e) {
    log.warning(`cleanup of ${tier} on ${image} failed: ${errorMessage(e)}`)
  }
}

function buildResult(
  cell: Cell,
  config: Config,
  outcomes: readonly TierOutcome[],
  extra: Pick<CellResult, 'versions' | 'logs' | 'finishedAt' | 'findings' | 'notes' | 'cause' | 'lintCheck'>
): CellResult {
  const decided = decideCell(config.tiers, outcomes)
  return {
    id: cell.id,
    image: cell.image,
    snapshotter: cell.snapshotter,
    tool: cell.tool,
    variant: cell.variant,
    ...decided.outcome,
    tier: decided.tier,
    durationSeconds: outcomes.reduce((s, o) => s + o.durationSeconds, 0),
    tiers: outcomes,
    ...extra
  }
}

function groupByImage(cells: readonly Cell[]): Map<string, Cell[]> {
  const groups = new Map<string, Cell[]>()
  for (const cell of cells) groups.set(cell.image, [...(groups.get(cell.image) ?? []), cell])
  return groups
}
