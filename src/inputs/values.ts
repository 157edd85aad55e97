import { isOneOf } from '../plan/axes.js'
import { problem, shown, type InputProblem } from './errors.js'

/**
 * Small parsers for input text. Each returns the value or an InputProblem naming the input, the value
 * and what is allowed; none throws, so parseConfig can gather every problem in one pass.
 */
export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: InputProblem[] }

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value })
export const bad = <T>(...problems: InputProblem[]): Parsed<T> => ({ ok: false, problems })

/** Items separated by commas, spaces or newlines (YAML block scalars and one-liners both work). */
export function splitList(text: string): string[] {
  return text.split(/[\s,]+/).filter(s => s !== '')
}

export function parseChoiceList<T extends string>(
  input: string,
  text: string,
  allowed: readonly T[]
): Parsed<T[]> {
  const items = splitList(text)
  if (items.length === 0) return bad(problem(input, `is empty; list one or more of ${allowed.join(', ')}`))
  const problems = items
    .filter(item => !isOneOf(allowed, item))
    .map(item => problem(input, `${shown(item)} is not one of ${allowed.join(', ')}`))
  problems.push(...duplicates(input, items))
  return problems.length > 0 ? bad(...problems) : ok(items as T[])
}

export function duplicates(input: string, items: readonly string[]): InputProblem[] {
  return [...new Set(items.filter((item, i) => items.indexOf(item) !== i))].map(item =>
    problem(input, `${shown(item)} is listed more than once`)
  )
}

export function parseChoice<T extends string>(input: string, text: string, allowed: readonly T[]): Parsed<T> {
  return isOneOf(allowed, text)
    ? ok(text)
    : bad(problem(input, `${shown(text)} is not one of ${allowed.join(', ')}`))
}

export function parseInteger(input: string, text: string, min: number, max: number): Parsed<number> {
  if (!/^-?\d+$/.test(text))
    return bad(problem(input, `${shown(text)} is not a whole number (${min} to ${max})`))
  const n = Number(text)
  return n < min || n > max ? bad(problem(input, `${shown(text)} is out of range: ${min} to ${max}`)) : ok(n)
}

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1000 } as const

/** `90`, `90s`, `20m`, `1h30m`: a bare number is seconds. */
export function parseDuration(input: string, text: string, maxMs: number): Parsed<number> {
  const allowed = 'a duration such as 90s, 20m or 1h30m (a bare number is seconds)'
  let ms: number
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000
  } else {
    const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text)
    if (m === null || text === '') return bad(problem(input, `${shown(text)} is not ${allowed}`))
    ms = Number(m[1] ?? 0) * UNIT_MS.h + Number(m[2] ?? 0) * UNIT_MS.m + Number(m[3] ?? 0) * UNIT_MS.s
  }
  if (ms <= 0) return bad(problem(input, `${shown(text)} must be longer than zero`))
  if (ms > maxMs)
    return bad(problem(input, `${shown(text)} is longer than the ${maxMs / UNIT_MS.h}h a GitHub job may run`))
  return ok(ms)
}

/**
 * A git ref or commit as `git check-ref-format --allow-onelevel` would take it, and not an option
 * (a leading `-` would be read by git as a flag).
 */
export function parseGitRef(input: string, text: string): Parsed<string> {
  const reasons: [RegExp, string][] = [
    [/^-/, 'may not start with "-"'],
    [/\.\./, 'may not contain ".."'],
    // git refuses control characters in ref names, as it does the characters listed.
    // eslint-disable-next-line no-control-regex
    [/[\s~^:?*[\\\x00-\x1f\x7f]/, 'may not contain spaces or any of ~ ^ : ? * [ \\'],
    [/@\{/, 'may not contain "@{"'],
    [
      /(^|\/)\.|\.lock$|\/$|\.$|\/\//,
      'is not a valid ref name (leading ".", trailing "/", "." or ".lock", or "//")'
    ]
  ]
  const why = reasons.find(([re]) => re.test(text))
  return why === undefined ? ok(text) : bad(problem(input, `${shown(text)} ${why[1]}`))
}

const TRUE = ['true', 'True', 'TRUE']
const FALSE = ['false', 'False', 'FALSE']

/** YAML 1.2's core booleans, as `core.getBooleanInput` takes them; anything else is an error, never false. */
export function parseBoolean(input: string, text: string): Parsed<boolean> {
  if (TRUE.includes(text)) return ok(true)
  if (FALSE.includes(text)) return ok(false)
  return bad(problem(input, `${shown(text)} is not a boolean: true or false`))
}
