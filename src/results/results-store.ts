import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { CellResult } from './cell-result.js'
import { SchemaError, parseCellResult, parseResultsDocument } from './results-document.js'
import { errorMessage } from '../text/error-message.js'

export const RESULTS_JSONL = 'results.jsonl'
export const RESULTS_JSON = 'results.json'

/**
 * Appends one line per cell as it finishes, so a cancelled or timed-out job still leaves everything
 * that completed. Appending is synchronous: a SIGTERM right after a cell cannot lose its line.
 */
export class ResultsJournal {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true })
  }

  append(result: CellResult): void {
    appendFileSync(this.path, `${JSON.stringify(result)}\n`)
  }
}

/** Reads a results.jsonl; a later line for the same cell replaces an earlier one. */
export function readJournal(path: string): CellResult[] {
  const byId = new Map<string, CellResult>()
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return
      const where = `${path} line ${i + 1}`
      let value: unknown
      try {
        value = JSON.parse(line)
      } catch (e) {
        throw new Error(`Invalid JSON at ${where}: ${errorMessage(e)}`)
      }
      const result = withLocation(where, () => parseCellResult(value, 'cell'))
      byId.set(result.id, result)
    })
  return [...byId.values()]
}

export function readResultsFile(path: string): ReturnType<typeof parseResultsDocument> {
  let value: unknown
  try {
    value = JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    throw new Error(`Invalid JSON in ${path}: ${errorMessage(e)}`)
  }
  return withLocation(path, () => parseResultsDocument(value))
}

/**
 * Collects every cell result under a directory, as `mode: report` finds the shards' downloaded
 * artifacts: each results.jsonl (or, lacking one, results.json) below it. When two shards report the
 * same cell, the one that finished last wins.
 */
export function collectResults(root: string): CellResult[] {
  const byId = new Map<string, CellResult>()
  for (const file of findResultFiles(root)) {
    const cells = file.endsWith(RESULTS_JSONL) ? readJournal(file) : readResultsFile(file).cells
    for (const cell of cells) {
      const seen = byId.get(cell.id)
      if (seen === undefined || seen.finishedAt <= cell.finishedAt) byId.set(cell.id, cell)
    }
  }
  return [...byId.values()]
}

function findResultFiles(dir: string): string[] {
  if (!existsSync(dir)) return []
  const entries = readdirSync(dir).sort()
  const here = entries.includes(RESULTS_JSONL)
    ? [join(dir, RESULTS_JSONL)]
    : entries.includes(RESULTS_JSON)
      ? [join(dir, RESULTS_JSON)]
      : []
  const below = entries
    .map(e => join(dir, e))
    .filter(p => statSync(p).isDirectory())
    .flatMap(findResultFiles)
  return [...here, ...below]
}

function withLocation<T>(where: string, parse: () => T): T {
  try {
    return parse()
  } catch (e) {
    if (e instanceof SchemaError) throw new Error(`Invalid results at ${where}: ${e.message}`)
    throw e
  }
}
