import { describeFailure, type CommandResult } from '../exec/executor.js'

/** A play's failed task as Ansible prints it: `fatal: [host]: FAILED! => {...}`. */
const FATAL = /^(fatal|failed): \[[^\]]+\].*$/gm
/**
 * Kubespray's binary downloads (`Download_file | …`) run with `no_log` unless `unsafe_show_logs` is
 * set, so their failure says only "censored". A binary that could not be fetched is the lab's
 * network or mirror, not the node's snapshotter (image pulls are other tasks, and never censored).
 */
const CENSORED = /"censored": "the output has been hidden/
const FILE_DOWNLOAD = /\bDownload_file \|/
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
  const stopped = failureThatStopped(output)
  const fatal = stopped?.line
  const task = lastTaskBefore(output, stopped?.at ?? output.length)
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
  if (fatal !== undefined && task !== undefined && FILE_DOWNLOAD.test(task) && CENSORED.test(fatal)) {
    return {
      kind: 'broken',
      message: `${where}: a file download failed and kubespray hid why (no_log); set unsafe_show_logs: true in kubespray-vars to see it`
    }
  }
  return { kind: 'failed', message: `${where} failed: ${(fatal ?? lastLine(output) ?? '').slice(0, 400)}` }
}

/**
 * The failure that stopped the play: the last one Ansible did not go on from (`...ignoring` follows a
 * failure a task was allowed to have, like kubespray's mirror probe before the download itself).
 */
function failureThatStopped(output: string): { readonly line: string; readonly at: number } | undefined {
  let stopped: { line: string; at: number } | undefined
  for (const m of output.matchAll(FATAL)) {
    const after = output.slice(m.index + m[0].length + 1).trimStart()
    if (!after.startsWith('...ignoring')) stopped = { line: m[0], at: m.index }
  }
  return stopped
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
