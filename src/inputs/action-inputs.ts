import * as core from '@actions/core'
import { INPUTS, type RawInputs } from './spec.js'

/**
 * The only place the action reads its inputs. Secrets are masked before anything can print them, line
 * by line as well as whole: the runner masks a log line by line, so a multi-line value masked only
 * whole would show each of its lines (such a value is then rejected by the parser, unprinted).
 */
export function readActionInputs(): RawInputs {
  const raw: RawInputs = {}
  for (const spec of INPUTS) {
    const value = core.getInput(spec.name)
    if ('secret' in spec && spec.secret) for (const part of secretParts(value)) core.setSecret(part)
    raw[spec.name] = value
  }
  return raw
}

/** What to mask of a secret: the whole value and each of its non-empty lines, trimmed as logs show them. */
export function secretParts(value: string): string[] {
  const lines = value
    .split(/\r\n|[\r\n]/)
    .map(l => l.trim())
    .filter(l => l !== '')
  return [...new Set(value.trim() === '' ? [] : [value, ...lines])]
}
