import { SNAPSHOTTERS, TIERS, TOOLS, isOneOf } from '../plan/axes.js'
import { parseCellId } from '../plan/cell.js'
import { GENERATOR } from '../version.js'
import {
  CELL_STATUSES,
  FINDING_LEVELS,
  type CellResult,
  type CellStatus,
  type Finding,
  type LintCheck,
  type NodeVersions,
  type Outcome,
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

/**
 * Validates one cell result (a results.jsonl line or an element of results.json) and builds it field by
 * field: what the file holds beyond the schema is not carried along.
 */
export function parseCellResult(value: unknown, at: string): CellResult {
  const c = object(value, at)
  const cell = parseCellId(string(c.id, `${at}.id`))
  if (cell === undefined) {
    throw new SchemaError(`${at}.id: expected image/snapshotter/tool/variant, found ${JSON.stringify(c.id)}`)
  }
  // The axes are written beside the id for readers of the file; they must be the id's.
  const image = string(c.image, `${at}.image`)
  const snapshotter = oneOf(SNAPSHOTTERS, c.snapshotter, `${at}.snapshotter`)
  const tool = oneOf(TOOLS, c.tool, `${at}.tool`)
  for (const [field, own, ofId] of [
    ['image', image, cell.image],
    ['snapshotter', snapshotter, cell.snapshotter],
    ['tool', tool, cell.tool]
  ] as const) {
    if (own !== ofId) throw new SchemaError(`${at}.${field}: ${JSON.stringify(own)} is not the id's ${ofId}`)
  }
  if (!Array.isArray(c.tiers)) throw new SchemaError(`${at}.tiers: expected an array`)
  // Results written before the variant axis existed have three-part ids: they were the kubespray variant.
  return {
    ...parseOutcome(c, at),
    ...cell,
    tier: c.tier === null ? null : oneOf(TIERS, c.tier, `${at}.tier`),
    durationSeconds: number(c.durationSeconds, `${at}.durationSeconds`),
    versions: parseVersions(c.versions, `${at}.versions`),
    logs: strings(c.logs, `${at}.logs`),
    tiers: c.tiers.map((t, i) => parseTierOutcome(t, `${at}.tiers[${i}]`)),
    finishedAt: timestamp(c.finishedAt, `${at}.finishedAt`),
    ...(c.findings === undefined ? {} : { findings: parseFindings(c.findings, `${at}.findings`) }),
    ...(c.notes === undefined ? {} : { notes: strings(c.notes, `${at}.notes`) }),
    ...(c.cause === undefined ? {} : { cause: string(c.cause, `${at}.cause`) }),
    ...(c.lintCheck === undefined ? {} : { lintCheck: parseLintCheck(c.lintCheck, `${at}.lintCheck`) })
  }
}

function parseOutcome(o: Json, at: string): Outcome {
  const status: CellStatus = oneOf(CELL_STATUSES, o.status, `${at}.status`)
  const excerpt = o.excerpt === undefined ? {} : { excerpt: string(o.excerpt, `${at}.excerpt`) }
  switch (status) {
    case 'pass':
      return { status }
    case 'flaky':
      return {
        status,
        failedAttempts: number(o.failedAttempts, `${at}.failedAttempts`),
        signature: string(o.signature, `${at}.signature`)
      }
    case 'fail':
      return {
        status,
        signature: string(o.signature, `${at}.signature`),
        message: string(o.message, `${at}.message`),
        ...excerpt
      }
    case 'error':
      return { status, message: string(o.message, `${at}.message`), ...excerpt }
    case 'skipped':
      return { status, reason: string(o.reason, `${at}.reason`) }
    default: {
      const never: never = status
      throw new SchemaError(`${at}.status: ${String(never)}`)
    }
  }
}

function parseTierOutcome(v: unknown, at: string): TierOutcome {
  const t = object(v, at)
  return {
    ...parseOutcome(t, at),
    tier: oneOf(TIERS, t.tier, `${at}.tier`),
    attempts: number(t.attempts, `${at}.attempts`),
    durationSeconds: number(t.durationSeconds, `${at}.durationSeconds`)
  }
}

const VERSION_FIELDS = ['kernel', 'openzfs', 'containerd', 'runc', 'tool'] as const

function parseVersions(v: unknown, at: string): NodeVersions {
  const o = object(v, at)
  const versions: { -readonly [K in keyof NodeVersions]: string } = {}
  for (const f of VERSION_FIELDS) if (o[f] !== undefined) versions[f] = string(o[f], `${at}.${f}`)
  return versions
}

function parseLintCheck(v: unknown, at: string): LintCheck {
  const check = object(v, at)
  if (typeof check.agrees !== 'boolean') throw new SchemaError(`${at}.agrees: expected true or false`)
  return { agrees: check.agrees, differences: strings(check.differences, `${at}.differences`) }
}

function parseFindings(v: unknown, at: string): Finding[] {
  if (!Array.isArray(v)) throw new SchemaError(`${at}: expected an array`)
  return v.map((item, i) => {
    const f = object(item, `${at}[${i}]`)
    const line = number(f.line, `${at}[${i}].line`)
    if (!Number.isInteger(line) || line < 1) {
      throw new SchemaError(`${at}[${i}].line: expected a line number (1 or more), found ${line}`)
    }
    return {
      path: string(f.path, `${at}[${i}].path`),
      line,
      level: oneOf(FINDING_LEVELS, f.level, `${at}[${i}].level`),
      message: string(f.message, `${at}[${i}].message`),
      ...(f.signature === undefined ? {} : { signature: string(f.signature, `${at}[${i}].signature`) })
    }
  })
}

/** An ISO 8601 time, as `toISOString` writes it. */
function timestamp(v: unknown, at: string): string {
  const text = string(v, at)
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(Date.parse(text))) {
    throw new SchemaError(
      `${at}: expected a time such as 2026-12-01T10:00:00.000Z, found ${JSON.stringify(text)}`
    )
  }
  return text
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

function strings(v: unknown, at: string): string[] {
  if (!Array.isArray(v)) throw new SchemaError(`${at}: expected an array`)
  return v.map((item, i) => string(item, `${at}[${i}]`))
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
