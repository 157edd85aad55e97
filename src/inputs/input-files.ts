import { existsSync, readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { readResultsFile } from '../results/results-store.js'
import { errorMessage } from '../text/error-message.js'
import { CELL_VARIABLES } from './config.js'
import { problem, shown } from './errors.js'
import { pathProblem } from './path-inputs.js'
import { bad, ok, type Parsed } from './values.js'

/*
 * The two inputs whose content is read at input time: kubespray-vars and baseline. Read here, before
 * anything starts, so that a file that is not YAML or not a results.json fails the run at once with
 * the input's name, not after the cells have run.
 */

/** A YAML mapping of group vars, without the variables each cell sets itself. */
export function parseKubesprayVars(path: string, given: string): Parsed<Record<string, unknown>> {
  const unusable = pathProblem('kubespray-vars', path, given, false)
  if (unusable !== undefined) return bad(unusable)
  if (!existsSync(path)) {
    return bad(problem('kubespray-vars', `${shown(given)} does not exist (resolved to ${path})`))
  }
  let document: unknown
  try {
    document = parseYaml(readFileSync(path, 'utf8'))
  } catch (e) {
    return bad(problem('kubespray-vars', `${shown(given)} is not YAML: ${errorMessage(e).split('\n')[0]}`))
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    return bad(problem('kubespray-vars', `${shown(given)} must be a YAML mapping of variable: value`))
  }
  const reserved = Object.keys(document).filter(k => (CELL_VARIABLES as readonly string[]).includes(k))
  if (reserved.length > 0) {
    return bad(
      problem(
        'kubespray-vars',
        `${shown(given)} sets ${reserved.join(', ')}, which each cell sets itself (snapshotters, tools and variants are the matrix's axes)`
      )
    )
  }
  return ok(document as Record<string, unknown>)
}

export function parseBaseline(
  path: string,
  given: string
): Parsed<{ path: string; document: ReturnType<typeof readResultsFile> }> {
  const unusable = pathProblem('baseline', path, given, false)
  if (unusable !== undefined) return bad(unusable)
  if (!existsSync(path)) {
    return bad(
      problem(
        'baseline',
        `${shown(given)} does not exist (resolved to ${path}); create one with write-baseline`
      )
    )
  }
  try {
    return ok({ path, document: readResultsFile(path) })
  } catch (e) {
    return bad(problem('baseline', `${shown(given)} is not a results.json: ${errorMessage(e)}`))
  }
}
