import { describeFailure, type CommandResult } from '../../exec/executor.js'

/** A play's failed task as Ansible prints it: `fatal: [host]: FAILED! => {...}`. */
const FATAL = /^(fatal|failed): \[[^\]]+\].*$/m
const TASK = /^TASK \[([^\]]+)\]/gm
/** A download that never reached its server is the lab's problem, not the node's. */
const UNREACHABLE_DOWNLOAD =
  /(Could not resolve host|Name or service not known|Temporary failure in name resolution|Network is unreachable|No route to host|Connection timed out|i\/o timeout|no such host)/

export type PlaybookOutcome =
  | { readonly kind: 'ok' }
  /** The play failed on the node: a fail, diagnosed from the output. */
  | { readonly kind: 'failed'; readonly message: string }
  /** Ansible could not do its job (unreachable host, a download with no route): the harness's error. */
  | { readonly kind: 'broken'; readonly message: string }

/** Reads a finished ansible-playbook run: which task failed, and whose failure it is. */
export function playbookOutcome(playbook: string, result: CommandResult): PlaybookOutcome {
  if (result.exitCode === 0) return { kind: 'ok' }
  const output = result.stdout
  if (result.killedBy !== null || result.exitCode === null) {
    return {
      kind: 'broken',
      message: `${playbook}: ${describeFailure(result).split('\n')[0]!.replace(/:$/, '')}`
    }
  }
  const fatal = FATAL.exec(output)?.[0]
  const task = lastTaskBefore(output, fatal === undefined ? output.length : output.indexOf(fatal))
  const where = task === undefined ? playbook : `${playbook}, task "${task}"`
  // ansible-playbook exits 4 when a host was unreachable, 5+ on bad options or syntax.
  if (result.exitCode === 4 || result.exitCode >= 5) {
    const why = (fatal ?? lastLine(result.stderr) ?? lastLine(output) ?? `exit ${result.exitCode}`).slice(
      0,
      400
    )
    return { kind: 'broken', message: `${where}: ${why}` }
  }
  if (fatal !== undefined && UNREACHABLE_DOWNLOAD.test(fatal)) {
    return { kind: 'broken', message: `${where}: a download had no route: ${fatal.slice(0, 400)}` }
  }
  return { kind: 'failed', message: `${where} failed: ${(fatal ?? lastLine(output) ?? '').slice(0, 400)}` }
}

function lastTaskBefore(output: string, index: number): string | undefined {
  let task: string | undefined
  for (const m of output.slice(0, index).matchAll(TASK)) task = m[1]
  return task
}

function lastLine(text: string): string | undefined {
  return text
    .split('\n')
    .map(l => l.trim())
    .filter(l => l !== '')
    .at(-1)
}
