import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

export const REPORT_MD = 'report.md'
export const JUNIT_XML = 'junit.xml'
export const PLAN_JSON = 'plan.json'

/** Writes a file, creating its directory; returns the path. */
export function writeOutputFile(dir: string, name: string, content: string): string {
  const path = join(dir, name)
  writeAt(path, content)
  return path
}

export function writeAt(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, content)
}

/** A mode's own document (diagnose, doctor): `<name>.json` and `<name>.md`; returns the JSON's path. */
export function writeDocument(dir: string, name: string, json: unknown, markdown: string): string {
  writeOutputFile(dir, `${name}.md`, markdown)
  return writeOutputFile(dir, `${name}.json`, `${JSON.stringify(json, null, 2)}\n`)
}
