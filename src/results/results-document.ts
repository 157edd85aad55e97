import { SNAPSHOTTERS, TIERS, TOOLS, isOneOf } from '../plan/axes.js'
import { parseCellId } from '../plan/cell.js'
import { GENERATOR } from '../version.js'
import {
  CELL_STATUSES,
  FINDING_LEVELS,
  type CellResult,
  type CellStatus,
  type TierOutcome
} from './cell-result.js'

/** results.json, and a baseline file, which has the same schema. Documented in README "results.json". */
export interface ResultsDocument {
  readonly schema: typeof RESULTS_SCHEMA
  readonly title: string
  readonly generatedAt: string
  readonly generator: { readonly name: string; readonly version: string }
  /** What configured the nodes: the kubespray checkout tested, or the model when none was given. */
  readonly kubespray?: string
  readonly cells: readonly CellResult[]
}

export const RESULTS_SCHEMA = 'zfs-join-matrix/results/v1'

export function makeResultsDocument(
  title: string,
  cells: readonly CellResult[],
  now: Date,
  kubespray?: string
): ResultsDocument {
  return {
    schema: RESULTS_SCHEMA,
    title,
    generatedAt: now.toISOString(),
    generator: GENERATOR,
    ...(kubespray === undefined ? {} : { kubespray }),
    cells
  }
}

/** Thrown with the JSON path of the first thing wrong, e.g. `cells[3].status`. */
export class SchemaError extends Error {}

type Json = Record<string, unknown>

export function parseResultsDocument(value: unknown): ResultsDocument {
  const doc = object(value, '$')
  if (doc.schema !== RESULTS_SCHEMA) {
    throw new SchemaError(`schema: expected "${RESULTS_SCHEMA}", found ${JSON.stringify(doc.schema)}`)
  }
  if (!Array.isArray(doc.cells)) throw new SchemaError('cells: expected an array')
  return {
    schema: RESULTS_SCHEMA,
    title: string(doc.title, 'title'),
    generatedAt: string(doc.generatedAt, 'generatedAt'),
    generator: {
      name: string(object(doc.generator, 'generator').name, 'generator.name'),
      version: string(object(doc.generator, 'generator').version, 'generator.version')
    },
    ...(doc.kubespray === undefined ? {} : { kubespray: string(doc.kubespray, 'kubespray') }),
    cells: doc.cells.map((c, i) => parseCellResult(c, `cells[${i}]`))
  }
}

/** Validates one cell result (a results.jsonl line or an element of results.json). */
export function parseCellResult(value: unknown, at: string): CellResult {
  const c = object(value, at)
  const cell = parseCellId(string(c.id, `${at}.id`))
  if (cell === undefined) {
    throw new SchemaError(`${at}.id: expected image/snapshotter/tool/variant, found ${JSON.stringify(c.id)}`)
  }
  string(c.image, `${at}.image`)
  oneOf(SNAPSHOTTERS, c.snapshotter, `${at}.snapshotter`)
  oneOf(TOOLS, c.tool, `${at}.tool`)
  if (c.tier !== null) oneOf(TIERS, c.tier, `${at}.tier`)
  number(c.durationSeconds, `${at}.durationSeconds`)
  object(c.versions, `${at}.versions`)
  if (!Array.isArray(c.logs)) throw new SchemaError(`${at}.logs: expected an array`)
  if (!Array.isArray(c.tiers)) throw new SchemaError(`${at}.tiers: expected an array`)
  c.tiers.forEach((t, i) => parseOutcome(object(t, `${at}.tiers[${i}]`), `${at}.tiers[${i}]`))
  if (c.findings !== undefined) parseFindings(c.findings, `${at}.findings`)
  if (c.notes !== undefined) strings(c.notes, `${at}.notes`)
  if (c.cause !== undefined) string(c.cause, `${at}.cause`)
  if (c.lintCheck !== undefined) {
    const check = object(c.lintCheck, `${at}.lintCheck`)
    if (typeof check.agrees !== 'boolean')
      throw new SchemaError(`${at}.lintCheck.agrees: expected true or false`)
    strings(check.differences, `${at}.lintCheck.differences`)
  }
  parseOutcome(c, at)
  // Results written before the variant axis existed have three-part ids: they were the kubespray variant.
  return { ...c, id: cell.id, variant: cell.variant } as unknown as CellResult
}

function parseOutcome(o: Json, at: string): void {
  const status: CellStatus = oneOf(CELL_STATUSES, o.status, `${at}.status`)
  switch (status) {
    case 'pass':
      return
    case 'flaky':
      number(o.failedAttempts, `${at}.failedAttempts`)
      string(o.signature, `${at}.signature`)
      return
    case 'fail':
      string(o.signature, `${at}.signature`)
      string(o.message, `${at}.message`)
      return
    case 'error':
      string(o.message, `${at}.message`)
      return
    case 'skipped':
      string(o.reason, `${at}.reason`)
      return
    default: {
      const never: never = status
      throw new SchemaError(`${at}.status: ${String(never)}`)
    }
  }
}

function parseFindings(v: unknown, at: string): void {
  if (!Array.isArray(v)) throw new SchemaError(`${at}: expected an array`)
  v.forEach((item, i) => {
    const f = object(item, `${at}[${i}]`)
    string(f.path, `${at}[${i}].path`)
    const line = number(f.line, `${at}[${i}].line`)
    if (!Number.isInteger(line) || line < 1) {
      throw new SchemaError(`${at}[${i}].line: expected a line number (1 or more), found ${line}`)
    }
    oneOf(FINDING_LEVELS, f.level, `${at}[${i}].level`)
    string(f.message, `${at}[${i}].message`)
    if (f.signature !== undefined) string(f.signature, `${at}[${i}].signature`)
  })
}

function object(v: unknown, at: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new SchemaError(`${at}: expected an object`)
  return v as Json
}

function string(v: unknown, at: string): string {
  if (typeof v !== 'string') throw new SchemaError(`${at}: expected a string, found ${JSON.stringify(v)}`)
  return v
}

function strings(v: unknown, at: string): void {
  if (!Array.isArray(v)) throw new SchemaError(`${at}: expected an array`)
  v.forEach((item, i) => string(item, `${at}[${i}]`))
}

function number(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new SchemaError(`${at}: expected a number, found ${JSON.stringify(v)}`)
  }
  return v
}

function oneOf<T extends string>(values: readonly T[], v: unknown, at: string): T {
  if (typeof v !== 'string' || !isOneOf(values, v)) {
    throw new SchemaError(`${at}: ${JSON.stringify(v)} is not one of ${values.join(', ')}`)
  }
  return v
}

export type { TierOutcome }
