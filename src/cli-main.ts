import { readdirSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { processExecutor } from './exec/executor.js'
import { CleanupLedger, sweep } from './cleanup/ledger.js'
import { withRunScope } from './cleanup/run-scope.js'
import { helpText, parseCliArgs } from './inputs/cli-args.js'
import { InputErrors, formatProblem, type InputProblem } from './inputs/errors.js'
import { parseConfig } from './inputs/parse.js'
import { consoleLog, type Log } from './log/log.js'
import { diagnoseCli } from './modes/diagnose-cli.js'
import { doctorCli } from './modes/doctor-cli.js'
import { runPipeline } from './pipeline.js'
import type { Outputs } from './publish/outputs.js'
import { makeScenarios } from './scenarios/registry.js'
import { readGitHubEnv } from './github/github-env.js'
import { GENERATOR } from './version.js'
import { isAlive } from './host/process-alive.js'
import { errorMessage } from './text/error-message.js'
import { actionsCache } from './host/remote-cache.js'

export const EXIT = { ok: 0, failed: 1, invalid: 2 } as const

export interface CliIo {
  readonly stdout: NodeJS.WritableStream
  readonly stderr: NodeJS.WritableStream
  readonly env: NodeJS.ProcessEnv
  readonly cwd: string
  readonly tempRoot?: string
  /** For `diagnose -`; the process's own when not given. */
  readonly stdin?: Readable
}

/** The CLI over the same pipeline as the action. Returns the exit status. */
export async function cli(argv: readonly string[], io: CliIo): Promise<number> {
  // diagnose and doctor read files and nodes, not inputs: they have their own arguments and exit statuses.
  if (argv[0] === 'diagnose') {
    return diagnoseCli(argv.slice(1), {
      stdout: io.stdout,
      stderr: io.stderr,
      stdin: io.stdin ?? process.stdin
    })
  }
  if (argv[0] === 'doctor') {
    // A Ctrl-C ends the ssh sessions too: they run in process groups of their own.
    const stop = new AbortController()
    const abort = (): void => stop.abort()
    process.once('SIGINT', abort).once('SIGTERM', abort)
    try {
      return await doctorCli(argv.slice(1), {
        stdout: io.stdout,
        stderr: io.stderr,
        exec: processExecutor,
        signal: stop.signal
      })
    } finally {
      process.off('SIGINT', abort).off('SIGTERM', abort)
    }
  }
  const log = consoleLog(io.stderr)
  const request = parseCliArgs(argv, io.env)
  switch (request.kind) {
    case 'help':
      io.stdout.write(`${helpText()}\n`)
      return EXIT.ok
    case 'version':
      io.stdout.write(`${GENERATOR.version}\n`)
      return EXIT.ok
    case 'invalid':
      return invalid(request.problems, io, log)
    case 'command':
      break
    default: {
      const never: never = request
      throw new Error(`unknown request ${JSON.stringify(never)}`)
    }
  }
  let config
  try {
    config = parseConfig(request.inputs, { cwd: io.cwd })
  } catch (e) {
    if (e instanceof InputErrors) return invalid(e.problems, io, log)
    throw e
  }
  const tempRoot = io.tempRoot ?? tmpdir()
  sweepDeadRuns(tempRoot, log)
  const ledger = new CleanupLedger(join(tempRoot, `${LEDGER_PREFIX}${process.pid}.ledger.json`))
  // `plan` prints its matrix on stdout (and nothing else there), so it can be piped into jq.
  const outputs: Outputs = {
    set: (name, value) => void (name === 'matrix' && io.stdout.write(`${value}\n`)),
    summary: () => Promise.resolve()
  }
  try {
    const result = await withRunScope(tempRoot, ledger, log, scope =>
      runPipeline(config, {
        host: { exec: processExecutor, ledger, log, signal: scope.signal, workDir: scope.workDir },
        outputs,
        scenarios: makeScenarios,
        github: readGitHubEnv(io.env),
        // The CLI on a runner uses GitHub's cache service as the action does.
        remoteCache: actionsCache(log)
      })
    )
    if (result.failed) log.error(result.reason)
    return result.failed ? EXIT.failed : EXIT.ok
  } catch (e) {
    // The host's own set-up (runner-setup) is judged once the run has started, and is an input error too.
    if (e instanceof InputErrors) return invalid(e.problems, io, log)
    log.error(errorMessage(e))
    return EXIT.failed
  }
}

const LEDGER_PREFIX = 'zfs-join-matrix-cli-'

function invalid(problems: readonly InputProblem[], io: CliIo, log: Log): number {
  for (const p of problems) log.error(formatProblem(p))
  io.stderr.write(`Run 'zfs-join-matrix --help' for the flags and their values.\n`)
  return EXIT.invalid
}

/** A CLI run killed outright (SIGKILL, a closed terminal) leaves a ledger whose pid is gone: clean it up now. */
function sweepDeadRuns(tempRoot: string, log: Log): void {
  for (const name of readdirSync(tempRoot)) {
    const m = new RegExp(`^${LEDGER_PREFIX}(\\d+)\\.ledger\\.json$`).exec(name)
    if (m === null || isAlive(Number(m[1]))) continue
    const removed = sweep(new CleanupLedger(join(tempRoot, name)), log)
    if (removed > 0) log.info(`Removed ${removed} resource(s) left by an earlier run (pid ${m[1]})`)
  }
}
