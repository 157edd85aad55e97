import { stripEscapes } from '../text/control-chars.js'
import { parseJournalJson, type LogKind } from './log-kind.js'

/**
 * The texts one raw line of a log says, as signatures are matched against them. Ansible prints a
 * task's result as JSON on the line (`fatal: [node]: FAILED! => {"stderr": "…\n…"}`), in which the
 * tool's own lines are escaped and joined: each of them is given back as a line of its own, so a
 * pattern quoting the tool's words matches there as it does in the tool's own log. A journal's JSON
 * gives its MESSAGE. Every other line is itself, without colours.
 */
export function lineTexts(kind: LogKind, raw: string): readonly string[] {
  const line = stripEscapes(raw)
  if (kind === 'journal-json') {
    const record = parseJournalJson(line)
    return record === undefined ? [line] : splitLines(record.message)
  }
  if (kind === 'ansible-playbook') {
    const result = taskResult(line)
    if (result !== undefined) return [line.slice(0, result.at), ...resultTexts(result.value)]
  }
  return [line]
}

/** The fields of a task's result that hold what the module or the tool said. */
const TEXT_FIELDS = ['msg', 'stderr', 'stdout', 'module_stderr', 'module_stdout', 'exception'] as const

/** `fatal: [node]: FAILED! => {…}`, `failed: [node] (item=x) => {…}`: the JSON after the arrow. */
function taskResult(line: string): { at: number; value: Record<string, unknown> } | undefined {
  const at = line.indexOf('=> {')
  if (at < 0) return undefined
  try {
    const value = JSON.parse(line.slice(at + 3)) as unknown
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? { at, value: value as Record<string, unknown> }
      : undefined
  } catch {
    return undefined
  }
}

function resultTexts(result: Record<string, unknown>): string[] {
  const texts: string[] = []
  for (const field of TEXT_FIELDS) {
    const v = result[field]
    if (typeof v === 'string') texts.push(...splitLines(v))
  }
  // A loop's items each carry a result of their own.
  const items = result.results
  if (Array.isArray(items)) {
    for (const item of items) {
      if (typeof item === 'object' && item !== null)
        texts.push(...resultTexts(item as Record<string, unknown>))
    }
  }
  return texts.filter(t => t.trim() !== '')
}

function splitLines(text: string): string[] {
  return text.split(/\r?\n/).map(stripEscapes)
}
