import { copyFileSync, existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from '../inputs/config.js'
import type { Log } from '../log/log.js'
import { errorMessage } from '../text/error-message.js'
import {
  DOWNLOADS_DIR,
  EVENT_FILE,
  downloadResults,
  resultsArtifactName,
  uploadResults
} from './artifacts.js'
import { describeGitHubError, githubClientFor } from './client.js'
import type { GitHubEnv, OutputSink } from './github-env.js'

type TransportConfig = Pick<
  Config,
  'uploadResults' | 'mode' | 'outputDir' | 'artifactName' | 'shard' | 'resultsRunId' | 'githubToken'
>

/**
 * Uploads output-dir as this shard's artifact when `upload-results` asks for it, with the run's event
 * file beside the results (the fork pattern's second workflow finds its pull request there).
 * Returns why the upload failed, or null: the report job cannot merge what was not uploaded.
 */
export async function uploadRunArtifact(
  config: TransportConfig,
  deps: { readonly github: GitHubEnv | null; readonly log: Log; readonly outputs: OutputSink }
): Promise<string | null> {
  const { github, log } = deps
  const wanted =
    config.uploadResults === 'always' || (config.uploadResults === 'auto' && config.mode === 'run')
  if (!wanted) return null
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

/**
 * Downloads the results artifacts (`artifact-name` prefix) of this run or of `results-run-id` into
 * output-dir, when on GitHub with a token. Returns why nothing could be downloaded, or null.
 */
export async function downloadRunArtifacts(
  config: TransportConfig,
  deps: { readonly github: GitHubEnv | null; readonly log: Log }
): Promise<string | null> {
  const { github, log } = deps
  const runId = config.resultsRunId ?? github?.runId ?? null
  const client = githubClientFor(config.githubToken, github, log)
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
