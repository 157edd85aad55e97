import { copyFileSync, existsSync, rmSync } from 'node:fs'
import { resolveCheckout, type Checkout } from './kubespray/checkout.js'
import { notKubespray } from './kubespray/kubespray-tree.js'
import { MODEL_RELEASE, sourceText } from './scenarios/probe/cell-config.js'
import { join } from 'node:path'
import type { Config } from './inputs/config.js'
import type { HostContext } from './host/context.js'
import { checkImages } from './images/check-images.js'
import { hostNeeds, prepareHost } from './host/prepare-host.js'
import { makeProvider } from './providers/make-provider.js'
import { announceBuilds } from './images/build-estimate.js'
import { escapeMarkdown } from './report/escape.js'
import { parseCellId, type Cell } from './plan/cell.js'
import { planCells } from './plan/plan.js'
import { defaultShardCount, formatShard, selectShard, strategyMatrix } from './plan/shard.js'
import { renderMatrixText } from './report/matrix-text.js'
import { JUNIT_XML, PLAN_JSON, REPORT_MD, writeAt, writeOutputFile } from './publish/files.js'
import type { Outputs } from './publish/outputs.js'
import { compareWithBaseline, gateConclusion, type BaselineDiff } from './report/baseline.js'
import { MatrixCounts } from './report/counts.js'
import { emptyRunConclusion } from './report/empty-run.js'
import { renderJUnit } from './report/junit.js'
import { GITHUB_MARKDOWN_LIMIT, renderReport, type ReportInput } from './report/report-markdown.js'
import type { CellResult } from './results/cell-result.js'
import { makeResultsDocument } from './results/results-document.js'
import { RESULTS_JSON, RESULTS_JSONL, ResultsJournal, collectResults } from './results/results-store.js'
import { imageConcurrency } from './run/concurrency.js'
import { runCells } from './run/run-cells.js'
import { DEFAULT_QEMU_OPTIONS } from './providers/qemu/qemu-provider.js'
import type { Provider } from './providers/provider.js'
import type { ScenarioFactory } from './scenarios/registry.js'
import { variableLocator } from './diagnose/variable-locations.js'
import {
  DOWNLOADS_DIR,
  EVENT_FILE,
  downloadResults,
  findEventFile,
  resultsArtifactName,
  uploadResults
} from './github/artifacts.js'
import { describeGitHubError, makeGitHubClient, type GitHubClient } from './github/client.js'
import type { GitHubEnv } from './github/github-env.js'
import { postResults, readEvent } from './github/post-results.js'
import { diagnoseMode } from './modes/diagnose-mode.js'
import { doctorMode } from './modes/doctor-mode.js'
import { errorMessage } from './text/error-message.js'

/** GitHub's step summary takes 1 MiB; at up to 4 bytes a character this many always fit. */
const SUMMARY_MAX_CHARS = 262_144

export interface PipelineDeps {
  /** Commands, the cleanup ledger, the log, the cancel signal and scratch space of this run. */
  readonly host: HostContext
  readonly outputs: Outputs
  /** Makes each tier's scenario; given the run's config, host and a provider made on first use. */
  readonly scenarios: ScenarioFactory
  /** Where this run is on GitHub; null outside GitHub Actions, where nothing is posted, uploaded or downloaded. */
  readonly github: GitHubEnv | null
  readonly now?: () => Date
}

export interface PipelineResult {
  readonly failed: boolean
  readonly reason: string
}

/** Config → Plan → (Provision → Scenario → Diagnose)* → Results → Report, per `mode`. */
export async function runPipeline(config: Config, deps: PipelineDeps): Promise<PipelineResult> {
  switch (config.mode) {
    case 'plan':
      return emitPlan(config, deps)
    case 'run':
      return runMode(config, deps, false)
    case 'all':
      return runMode(config, deps, true)
    case 'report':
      return reportMode(config, deps)
    case 'images':
      return imagesMode(config, deps)
    case 'diagnose':
      return diagnoseMode(config, deps.outputs, deps.host.log)
    case 'doctor':
      return doctorMode(config, deps.outputs, deps.host)
    default: {
      const never: never = config.mode
      throw new Error(`unknown mode ${String(never)}`)
    }
  }
}

async function imagesMode(config: Config, deps: PipelineDeps): Promise<PipelineResult> {
  await prepareHost(config.runnerSetup, hostNeeds(config, true, deps.github !== null), deps.host)
  announceBuilds(config.axes.images, config.imageCache, 1, deps.host.log)
  const provider = makeProvider(config, deps.host)
  try {
    const lines = await checkImages(config, provider, deps.host)
    await deps.outputs.summary(`## Node images\n\n${lines.map(l => `- ${escapeMarkdown(l)}`).join('\n')}\n`)
    return { failed: false, reason: `${lines.length} image(s) built and booted` }
  } finally {
    await provider.close()
  }
}

function emitPlan(config: Config, deps: PipelineDeps): PipelineResult {
  const cells = planCells(config)
  const count = config.shards ?? defaultShardCount(cells)
  const matrix = strategyMatrix(cells, count)
  const json = JSON.stringify(matrix)
  const path = writeOutputFile(config.outputDir, PLAN_JSON, `${JSON.stringify(matrix, null, 2)}\n`)
  deps.outputs.set('matrix', json)
  deps.outputs.set('cells', String(cells.length))
  deps.host.log.info(`Planned ${cells.length} cells in ${count} shard(s); strategy.matrix written to ${path}`)
  return { failed: false, reason: `planned ${cells.length} cells` }
}

async function runMode(config: Config, deps: PipelineDeps, report: boolean): Promise<PipelineResult> {
  const all = planCells(config)
  const cells = config.shard === null ? all : selectShard(all, config.shard)
  // Before the journal and any cell: a host that lacks a tool stops here with the command to install it.
  await prepareHost(config.runnerSetup, hostNeeds(config, false, deps.github !== null), deps.host)
  const journalPath = join(config.outputDir, RESULTS_JSONL)
  // A journal belongs to one run: lines left by an earlier run in the same directory would mix in.
  rmSync(journalPath, { force: true })
  const journal = new ResultsJournal(journalPath)
  const shardText =
    config.shard === null ? '' : ` (shard ${formatShard(config.shard)} of ${all.length} cells)`
  deps.host.log.info(`Running ${cells.length} cells × tiers ${config.tiers.join(', ')}${shardText}`)
  deps.outputs.set('cells', String(cells.length))

  let provider: Promise<Provider> | undefined
  let checkout: Promise<Checkout> | undefined
  const scenarioFor = deps.scenarios({
    config,
    host: deps.host,
    provider: () => (provider ??= Promise.resolve(makeProvider(config, deps.host))),
    onRunner: deps.github !== null,
    kubespray: () => (checkout ??= resolveCheckout(config, deps.host))
  })
  const concurrency = imageConcurrency(
    new Set(cells.map(c => c.image)).size,
    config.tiers,
    DEFAULT_QEMU_OPTIONS.memoryMb
  )
  if (concurrency.images > 1) {
    deps.host.log.info(`Running ${concurrency.images} images at once (${concurrency.reason})`)
  }
  if (config.tiers.some(t => t !== 'lint')) {
    const used = new Set(cells.map(c => c.image))
    announceBuilds(
      config.axes.images.filter(i => used.has(i.name)),
      config.imageCache,
      concurrency.images,
      deps.host.log
    )
  }
  let results: CellResult[]
  try {
    results = await runCells(cells, {
      ...deps.host,
      scenarioFor,
      now: deps.now,
      config,
      journal,
      concurrency: concurrency.images
    })
  } finally {
    // A provider that failed to come up has nothing to close; its cells already report why.
    if (provider !== undefined)
      await provider.then(
        p => p.close(),
        () => undefined
      )
  }
  if (deps.host.signal.aborted)
    deps.host.log.warning(`Cancelled: reporting the ${results.length} cells that finished`)
  // runCells returns exactly the cells that finished (also when cancelled); the journal holds the same lines.
  const published = await publish(config, deps, results, cells, report)
  const uploadFailure = await uploadArtifact(config, deps)
  if (deps.host.signal.aborted) return { failed: true, reason: 'cancelled' }
  if (uploadFailure !== null && !published.failed) return { failed: true, reason: uploadFailure }
  return published
}

/**
 * Uploads output-dir as this shard's artifact when `upload-results` asks for it, with the run's event
 * file beside the results (the fork pattern's second workflow finds its pull request there).
 * Returns why the upload failed, or null: the report job cannot merge what was not uploaded.
 */
async function uploadArtifact(config: Config, deps: PipelineDeps): Promise<string | null> {
  const { log } = deps.host
  const wanted =
    config.uploadResults === 'always' || (config.uploadResults === 'auto' && config.mode === 'run')
  if (!wanted) return null
  const github = deps.github
  if (github === null || !github.artifactService) {
    const why =
      'not in a GitHub Actions job (no ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL): results are not uploaded'
    if (config.uploadResults === 'always') log.warning(`upload-results: ${why}`)
    else log.info(`upload-results: ${why}; ${config.outputDir} has them`)
    return null
  }
  if (github.eventPath !== null && existsSync(github.eventPath)) {
    copyFileSync(github.eventPath, join(config.outputDir, EVENT_FILE))
  }
  const name = resultsArtifactName(config.artifactName, config.shard, github.runAttempt)
  try {
    const uploaded = await uploadResults(name, config.outputDir)
    log.info(`Uploaded ${uploaded.files} files from ${config.outputDir} as artifact ${name}`)
    deps.outputs.set('artifact', name)
    return null
  } catch (e) {
    return `could not upload the results as artifact ${name}: ${errorMessage(e)}`
  }
}

async function reportMode(config: Config, deps: PipelineDeps): Promise<PipelineResult> {
  const downloadFailure = await downloadArtifacts(config, deps)
  const results = collectResults(config.outputDir)
  if (results.length === 0) {
    const why = downloadFailure ?? `download the shards' artifacts there first`
    throw new Error(
      `mode report found no ${RESULTS_JSONL} or ${RESULTS_JSON} under ${config.outputDir}: ${why}`
    )
  }
  const planned = planCells(config)
  const known = new Set(planned.map(c => c.id))
  const extra = results.filter(r => !known.has(r.id)).flatMap(r => parseCellId(r.id) ?? [])
  deps.host.log.info(`Merged ${results.length} cell results from ${config.outputDir}`)
  return publish(config, deps, results, [...planned, ...extra], true)
}

/**
 * Downloads the results artifacts (`artifact-name` prefix) of this run or of `results-run-id` into
 * output-dir, when on GitHub with a token. Returns why nothing could be downloaded, or null.
 */
async function downloadArtifacts(config: Config, deps: PipelineDeps): Promise<string | null> {
  const { log } = deps.host
  const github = deps.github
  const runId = config.resultsRunId ?? github?.runId ?? null
  const client = githubClient(config, deps)
  if (github === null || client === null || runId === null) {
    const why = 'not on GitHub Actions with a github-token, so no artifacts were downloaded'
    if (config.resultsRunId !== null) log.warning(`results-run-id ${config.resultsRunId}: ${why}`)
    return why
  }
  const into = join(config.outputDir, DOWNLOADS_DIR)
  // What an earlier report left here belongs to other runs; merged in, it would be reported as this one's.
  rmSync(into, { recursive: true, force: true })
  try {
    const got = await downloadResults(client, github, runId, config.artifactName, into, log)
    if (got.artifacts.length === 0) {
      return `run ${runId} has no artifact named ${config.artifactName}-shard-…; are artifact-name and results-run-id right?`
    }
    log.info(`Downloaded ${got.artifacts.length} results artifact(s) of run ${runId}`)
    if (got.missing.length > 0) {
      log.warning(
        `No results artifact for shard(s) ${got.missing.join(', ')}: their cells are reported as not run`
      )
    }
    return null
  } catch (e) {
    const why = `downloading the artifacts of run ${runId} failed: ${describeGitHubError(e, 'actions: read')}`
    log.warning(why)
    return why
  }
}

/** The Octokit for this run, or null when there is nothing to post with (not on GitHub, or no token). */
function githubClient(config: Config, deps: PipelineDeps): GitHubClient | null {
  if (deps.github === null || config.githubToken === null) return null
  return makeGitHubClient(config.githubToken, deps.github.apiUrl, deps.host.log)
}

/**
 * What configured the probe's nodes, for the report's header and results.json: the checkout, or the
 * built-in model when none was given (every cell of the model says so too).
 */
function kubesprayLine(config: Config): string {
  const path = config.kubesprayPath
  if (path === null) return sourceText({ kind: 'model', release: MODEL_RELEASE })
  if (config.kubesprayRef !== null) return `${path} at ${config.kubesprayRef}`
  const notTree = notKubespray(path)
  return notTree === null ? path : sourceText({ kind: 'model', release: MODEL_RELEASE, why: notTree })
}

/** Writes results.json, report.md, junit.xml, the summary and outputs; applies the gate when `gate`. */
async function publish(
  config: Config,
  deps: PipelineDeps,
  results: readonly CellResult[],
  planned: readonly Cell[],
  gate: boolean
): Promise<PipelineResult> {
  const now = deps.now ?? (() => new Date())
  const counts = new MatrixCounts(results)
  const diff: BaselineDiff | undefined =
    gate && config.baseline !== null
      ? compareWithBaseline(results, config.baseline.document.cells)
      : undefined
  const kubespray = kubesprayLine(config)
  const document = makeResultsDocument(config.title, results, now(), kubespray)
  const resultsPath = writeOutputFile(
    config.outputDir,
    RESULTS_JSON,
    `${JSON.stringify(document, null, 2)}\n`
  )
  const reportInput = { title: config.title, results, planned, gate: diff, kubespray }
  const reportPath = writeOutputFile(
    config.outputDir,
    REPORT_MD,
    renderReport(reportInput, GITHUB_MARKDOWN_LIMIT)
  )
  const junitPath = writeOutputFile(config.outputDir, JUNIT_XML, renderJUnit(config.title, results))
  if (config.writeBaseline !== null) {
    writeAt(config.writeBaseline, `${JSON.stringify(document, null, 2)}\n`)
    deps.host.log.info(`Baseline written to ${config.writeBaseline}`)
  }
  await deps.outputs.summary(renderReport(reportInput, SUMMARY_MAX_CHARS))

  const conclusion = gate
    ? ((config.failOnEmpty ? emptyRunConclusion(results) : null) ??
      gateConclusion(config.failOn, counts, diff))
    : { failed: false, reason: 'shard run: the report job applies the gate' }
  deps.outputs.set('passed', String(counts.passed))
  deps.outputs.set('failed', String(counts.failed))
  deps.outputs.set('errored', String(counts.errored))
  deps.outputs.set('skipped', String(counts.skipped))
  deps.outputs.set('regressions', String(diff?.regressions.length ?? 0))
  deps.outputs.set('conclusion', conclusion.failed ? 'failure' : 'success')
  deps.outputs.set('results-json', resultsPath)
  deps.outputs.set('report-md', reportPath)
  deps.outputs.set('junit-xml', junitPath)
  // The table itself closes the log, so a terminal or a job log shows the result without opening a file.
  deps.host.log.info(`\n${renderMatrixText(results, planned)}\n`)
  deps.host.log.info(counts.summaryLine())
  deps.host.log.info(`Report: ${reportPath}`)
  // Shard runs never post: the report job posts once for all of them.
  if (gate) await post(config, deps, results, reportInput, conclusion, now())
  return conclusion
}

async function post(
  config: Config,
  deps: PipelineDeps,
  results: readonly CellResult[],
  reportInput: ReportInput,
  gate: PipelineResult,
  finishedAt: Date
): Promise<void> {
  const github = deps.github
  if (github === null) return
  const client = githubClient(config, deps)
  if (client === null) {
    deps.host.log.info('github-token is empty: nothing is posted to GitHub')
    return
  }
  const eventFile = findEventFile(config.outputDir)
  await postResults(
    {
      config,
      env: github,
      results,
      gate,
      report: (maxChars, footer) => renderReport({ ...reportInput, footer }, maxChars),
      testedEvent: eventFile === null ? undefined : readEvent(eventFile, deps.host.log),
      locate: variableLocator(config.kubesprayPath),
      finishedAt
    },
    { client, log: deps.host.log, outputs: deps.outputs }
  )
}
