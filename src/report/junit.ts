import { findSignature } from '../diagnose/signatures.js'
import type { CellResult } from '../results/cell-result.js'
import { MatrixCounts } from './counts.js'
import { escapeXml } from './escape.js'

/**
 * The results as JUnit XML: one `<testsuite>` per image (in order of first appearance), one
 * `<testcase>` per cell named `<snapshotter>/<tool>`. A flaky cell counts as passed; its failed
 * attempts are noted in `<system-out>`, with the log paths of every cell.
 */
export function renderJUnit(title: string, results: readonly CellResult[]): string {
  const byImage = new Map<string, CellResult[]>()
  for (const r of results) {
    const cells = byImage.get(r.image) ?? []
    cells.push(r)
    byImage.set(r.image, cells)
  }
  const suites = [...byImage].map(([image, cells]) =>
    [`  <testsuite ${suiteAttributes(image, cells)}>`, ...cells.map(testcase), '  </testsuite>'].join('\n')
  )
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${suiteAttributes(title, results)}>`,
    ...suites,
    '</testsuites>',
    ''
  ].join('\n')
}

function suiteAttributes(name: string, cells: readonly CellResult[]): string {
  const counts = new MatrixCounts(cells)
  const time = cells.reduce((sum, c) => sum + seconds(c.durationSeconds), 0)
  return (
    `name="${escapeXml(name)}" tests="${counts.total}" failures="${counts.failed}" ` +
    `errors="${counts.errored}" skipped="${counts.skipped}" time="${time.toFixed(3)}"`
  )
}

function testcase(r: CellResult): string {
  const name = `${r.snapshotter}/${r.tool}/${r.variant}`
  const time = seconds(r.durationSeconds).toFixed(3)
  const open = `    <testcase classname="${escapeXml(r.image)}" name="${escapeXml(name)}" time="${time}"`
  const children = [...outcomeElements(r), ...systemOut(r)]
  return children.length === 0 ? `${open}/>` : [`${open}>`, ...children, '    </testcase>'].join('\n')
}

function outcomeElements(r: CellResult): string[] {
  switch (r.status) {
    case 'pass':
    case 'flaky':
      return []
    case 'skipped':
      return [`      <skipped message="${escapeXml(r.reason)}"/>`]
    case 'fail': {
      const signature = findSignature(r.signature)
      const text = [
        `Tier: ${r.tier ?? 'none'}`,
        `Signature: ${signature?.title ?? 'not in this catalogue'} (${r.signature})`,
        ...(signature === undefined ? [] : [`Root cause: ${signature.rootCause}`, `Fix: ${signature.fix}`]),
        ...(r.excerpt === undefined ? [] : ['', r.excerpt])
      ].join('\n')
      const attributes = `message="${escapeXml(r.message)}" type="${escapeXml(r.signature)}"`
      return [`      <failure ${attributes}>${escapeXml(text)}</failure>`]
    }
    case 'error': {
      const text = [`Tier: ${r.tier ?? 'none'}`, ...(r.excerpt === undefined ? [] : ['', r.excerpt])].join(
        '\n'
      )
      return [
        `      <error message="${escapeXml(r.message)}" type="harness-error">${escapeXml(text)}</error>`
      ]
    }
    default: {
      const never: never = r
      return never
    }
  }
}

function systemOut(r: CellResult): string[] {
  const lines: string[] = []
  if (r.status === 'flaky') {
    const title = findSignature(r.signature)?.title ?? 'not in this catalogue'
    lines.push(`Passed after ${r.failedAttempts} failed attempt(s): ${title} (${r.signature})`)
  }
  if (r.logs.length > 0) lines.push('Logs:', ...r.logs.map(path => `  ${path}`))
  return lines.length === 0 ? [] : [`      <system-out>${escapeXml(lines.join('\n'))}</system-out>`]
}

/** JUnit consumers reject a negative or non-numeric time; a missing duration is better shown as 0. */
function seconds(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0
}
