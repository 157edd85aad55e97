import * as core from '@actions/core'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { processExecutor } from './exec/executor.js'
import { CleanupLedger, LEDGER_STATE } from './cleanup/ledger.js'
import { withRunScope } from './cleanup/run-scope.js'
import { readActionInputs } from './inputs/action-inputs.js'
import { InputErrors, formatProblem } from './inputs/errors.js'
import { parseConfig } from './inputs/parse.js'
import { actionsLog } from './log/actions-log.js'
import { runPipeline } from './pipeline.js'
import { actionsOutputs } from './publish/actions-outputs.js'
import { makeScenarios } from './scenarios/registry.js'
import { readGitHubEnv } from './github/github-env.js'
import { errorMessage } from './text/error-message.js'
import { actionsCache } from './host/remote-cache.js'

/** The action's main step. Exported so tests can call it without starting the action. */
export async function run(): Promise<void> {
  const log = actionsLog()
  try {
    const config = parseConfig(readActionInputs(), { cwd: process.env.GITHUB_WORKSPACE ?? process.cwd() })
    const tempRoot = process.env.RUNNER_TEMP ?? tmpdir()
    const ledger = new CleanupLedger(join(tempRoot, `zfs-join-matrix-${stepId()}.ledger.json`))
    core.saveState(LEDGER_STATE, ledger.path)
    const result = await withRunScope(tempRoot, ledger, log, scope =>
      runPipeline(config, {
        host: { exec: processExecutor, ledger, log, signal: scope.signal, workDir: scope.workDir },
        outputs: actionsOutputs(),
        scenarios: makeScenarios,
        github: readGitHubEnv(process.env),
        remoteCache: actionsCache(log)
      })
    )
    if (result.failed) core.setFailed(result.reason)
  } catch (e) {
    if (e instanceof InputErrors) {
      for (const p of e.problems) core.error(formatProblem(p), { title: `Invalid input: ${p.input}` })
    }
    core.setFailed(errorMessage(e))
  }
}

/** Unique per step execution, so two uses of the action in one job keep separate ledgers. */
function stepId(): string {
  const { GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT, GITHUB_JOB, GITHUB_ACTION } = process.env
  const parts = [GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT, GITHUB_JOB, GITHUB_ACTION].filter(Boolean)
  return (parts.length > 0 ? parts.join('-') : `pid${process.pid}`).replace(/[^A-Za-z0-9_.-]/g, '_')
}
