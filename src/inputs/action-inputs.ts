import * as core from '@actions/core'
import { INPUTS, type RawInputs } from './spec.js'

/** The only place the action reads its inputs. Secrets are masked before anything can print them. */
export function readActionInputs(): RawInputs {
  const raw: RawInputs = {}
  for (const spec of INPUTS) {
    const value = core.getInput(spec.name)
    if ('secret' in spec && spec.secret && value !== '') core.setSecret(value)
    raw[spec.name] = value
  }
  return raw
}
