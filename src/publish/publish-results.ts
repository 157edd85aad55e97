import type { Config } from '../inputs/config.js'
import { variableLocator } from '../diagnose/variable-locations.js'
import { findEventFile } from '../github/artifacts.js'
import { githubClientFor } from '../github/client.js'
import type { GitHubEnv } from '../github/github-env.js'
import { postResults, readEvent } from '../github/post-results.js'
import { notKubespray } from '../kubespray/kubespray-tree.js'
import type { Log } from '../log/log.js'
import type { Cell } from '../plan/cell.js'
import { compareWithBaseline, gateConclusion, type BaselineDiff } from '../report/baseline.js'
import { MatrixCounts } from '../report/counts.js'
import { emptyRunConclusion } from '../report/empty-run.js'
import { renderJUnit } from '../report/junit.js'
import { renderMatrixText } from '../report/matrix-text.js'
import { GITHUB_MARKDOWN_LIMIT, renderReport, type ReportInput } from '../report/report-markdown.js'
import type { CellResult } from '../results/cell-result.js'
import { makeResultsDocument } from '../results/results-document.js'
import { RESULTS_JSON } from '../results/results-store.js'
import { MODEL_RELEASE, sourceText } from '../scenarios/probe/cell-config.js'
import { JUNIT_XML, REPORT_MD, writeAt, writeOutputFile } from './files.js'
import type { Outputs } from './outputs.js'

/** GitHub's step summary takes 1 MiB; at up to 4 bytes a character this many always fit. */
const SUMMARY_MAX_CHARS = 262_144

export interface PublishDeps {
  readonly log: Log
  readonly outputs: Outputs
  /** Null outside GitHub Actions: nothing is posted. */
  readonly github: GitHubEnv | null
  readonly now?: () => Date
}

export interface PublishInput {
  readonly results: readonly CellResult[]
  /** Every cell the run meant to test: those without a result are reported as not run. */
  readonly planned: readonly Cell[]
  /** Apply `fail-on` and post to GitHub: false for a shard, whose report job does both for all shards. */
  readonly gate: boolean
}

export interface Conclusion {
  readonly failed: boolean
  readonly reason: string
}

/** Writes results.json, report.md, junit.xml, the summary and outputs; applies the gate and posts when `gate`. */
export async function publishResults(
  config: Config,
  deps: PublishDeps,
  { results, planned, gate }: PublishInput
): Promise<Conclusion> {
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
    deps.log.info(`Baseline written to ${config.writeBaseline}`)
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
  deps.log.info(`\n${renderMatrixText(results, planned)}\n`)
  deps.log.info(counts.summaryLine())
  deps.log.info(`Report: ${reportPath}`)
  // Shard runs never post: the report job posts once for all of them.
  if (gate) await post(config, deps, results, reportInput, conclusion, now())
  return conclusion
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

/** The sticky comment, the check run and the tracking issue, when on GitHub with a token. */
async function post(
  config: Config,
  deps: PublishDeps,
  results: readonly CellResult[],
  reportInput: ReportInput,
  gate: Conclusion,
  finishedAt: Date
): Promise<void> {
  const github = deps.github
  if (github === null) return
  const client = githubClientFor(config.githubToken, github, deps.log)
  if (client === null) {
    deps.log.info('github-token is empty: nothing is posted to GitHub')
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
      testedEvent: eventFile === null ? undefined : readEvent(eventFile, deps.log),
      locate: variableLocator(config.kubesprayPath),
      finishedAt
    },
    { client, log: deps.log, outputs: deps.outputs }
  )
}
