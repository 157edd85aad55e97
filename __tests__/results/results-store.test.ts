import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import type { CellResult, Outcome } from '../../src/results/cell-result.js'
import { compareWithBaseline } from '../../src/report/baseline.js'
import {
  makeResultsDocument,
  parseCellResult,
  parseResultsDocument
} from '../../src/results/results-document.js'
import {
  ResultsJournal,
  collectResults,
  readJournal,
  readResultsFile
} from '../../src/results/results-store.js'
import { tempDir } from '../helpers.js'
import { cellResult } from '../builders.js'

function result(
  id: string,
  status: 'pass' | 'skipped' = 'pass',
  finishedAt = '2026-11-24T10:00:00.000Z'
): CellResult {
  const outcome: Outcome = status === 'pass' ? { status } : { status, reason: 'no qemu' }
  return cellResult(id, outcome, { tier: 'probe', finishedAt })
}

describe('results journal', () => {
  it('appends a line per finished cell; a later line for a cell replaces the earlier', () => {
    const dir = tempDir()
    const journal = new ResultsJournal(join(dir, 'nested', 'results.jsonl'))
    journal.append(result('debian-12/zfs/ctr/kubespray', 'skipped'))
    journal.append(result('debian-12/zfs/ctr/fixed', 'skipped'))
    journal.append(result('debian-13/zfs/ctr/kubespray'))
    journal.append(result('debian-12/zfs/ctr/kubespray'))
    expect(readJournal(journal.path).map(r => [r.id, r.variant, r.status])).toEqual([
      ['debian-12/zfs/ctr/kubespray', 'kubespray', 'pass'],
      ['debian-12/zfs/ctr/fixed', 'fixed', 'skipped'],
      ['debian-13/zfs/ctr/kubespray', 'kubespray', 'pass']
    ])
  })

  it('reads a line written before the variant axis as the kubespray cell, which a new line replaces', () => {
    const dir = tempDir()
    const path = join(dir, 'results.jsonl')
    writeFileSync(path, `${JSON.stringify(oldShape(result('debian-12/zfs/ctr', 'skipped')))}\n`)
    expect(readJournal(path).map(r => [r.id, r.variant, r.status])).toEqual([
      ['debian-12/zfs/ctr/kubespray', 'kubespray', 'skipped']
    ])
    new ResultsJournal(path).append(result('debian-12/zfs/ctr/kubespray'))
    expect(readJournal(path).map(r => [r.id, r.variant, r.status])).toEqual([
      ['debian-12/zfs/ctr/kubespray', 'kubespray', 'pass']
    ])
  })

  it('names the file and line of a broken line', () => {
    const dir = tempDir()
    const path = join(dir, 'results.jsonl')
    writeFileSync(path, `${JSON.stringify(result('debian-12/zfs/ctr/kubespray'))}\n{"id":\n`)
    expect(() => readJournal(path)).toThrow(`Invalid JSON at ${path} line 2`)
    writeFileSync(path, `${JSON.stringify({ ...result('debian-12/zfs/ctr/kubespray'), status: 'passed' })}\n`)
    expect(() => readJournal(path)).toThrow(
      `Invalid results at ${path} line 1: cell.status: "passed" is not one of pass, fail, error, skipped, flaky`
    )
    writeFileSync(
      path,
      `${JSON.stringify({ ...result('debian-12/zfs/ctr/fixed'), id: 'debian-12/zfs/ctr/patched' })}\n`
    )
    expect(() => readJournal(path)).toThrow(
      `Invalid results at ${path} line 1: cell.id: expected image/snapshotter/tool/variant, found "debian-12/zfs/ctr/patched"`
    )
  })
})

describe('parseCellResult', () => {
  it('keeps a four-part id and its variant', () => {
    const fixed = result('debian-12/zfs/ctr/fixed')
    expect(parseCellResult(JSON.parse(JSON.stringify(fixed)), 'cell')).toEqual(fixed)
  })

  it('reads a three-part id, written before the variant axis, as the kubespray variant', () => {
    const old = oldShape(result('debian-12/zfs/ctr'))
    expect(old.id).toBe('debian-12/zfs/ctr')
    expect(old).not.toHaveProperty('variant')
    const parsed = parseCellResult(old, 'cell')
    expect(parsed.id).toBe('debian-12/zfs/ctr/kubespray')
    expect(parsed.variant).toBe('kubespray')
    expect(parsed).toEqual(result('debian-12/zfs/ctr/kubespray'))
  })

  it.each([
    ['x', 'cells[0].id: expected image/snapshotter/tool/variant, found "x"'],
    ['debian-12/zfs/ctr/fixed/x', 'found "debian-12/zfs/ctr/fixed/x"'],
    ['debian-12/zfs/ctr/patched', 'found "debian-12/zfs/ctr/patched"'],
    ['debian-12/btrfs/ctr/fixed', 'found "debian-12/btrfs/ctr/fixed"']
  ])('rejects the id %s', (id, message) => {
    expect(() => parseCellResult({ ...result('debian-12/zfs/ctr/fixed'), id }, 'cells[0]')).toThrow(message)
  })

  it('builds the result field by field: what the schema does not know is left out', () => {
    const fixed = result('debian-12/zfs/ctr/fixed')
    const parsed = parseCellResult({ ...JSON.parse(JSON.stringify(fixed)), extra: 'x' }, 'cell')
    expect(parsed).toEqual(fixed)
    expect(parsed).not.toHaveProperty('extra')
  })

  it.each([
    [
      { finishedAt: 'yesterday' },
      'cell.finishedAt: expected a time such as 2026-12-01T10:00:00.000Z, found "yesterday"'
    ],
    [{ finishedAt: undefined }, 'cell.finishedAt: expected a string, found undefined'],
    [{ image: 'debian-13' }, `cell.image: "debian-13" is not the id's debian-12`],
    [{ snapshotter: 'native' }, `cell.snapshotter: "native" is not the id's zfs`],
    [
      { tiers: [{ status: 'pass', tier: 'probe', attempts: 1 }] },
      'cell.tiers[0].durationSeconds: expected a number'
    ],
    [
      { tiers: [{ status: 'pass', tier: 'deploy', attempts: 1, durationSeconds: 1 }] },
      'cell.tiers[0].tier: "deploy" is not one of'
    ],
    [{ versions: { kernel: 6 } }, 'cell.versions.kernel: expected a string, found 6']
  ])('rejects %o', (change, message) => {
    expect(() => parseCellResult({ ...result('debian-12/zfs/ctr/fixed'), ...change }, 'cell')).toThrow(
      message
    )
  })

  it('rejects an id that is not a string', () => {
    expect(() => parseCellResult({ ...result('debian-12/zfs/ctr/fixed'), id: 7 }, 'cell')).toThrow(
      'cell.id: expected a string, found 7'
    )
  })
})

describe('results.json', () => {
  it('round-trips and rejects a fail without a signature', () => {
    const doc = makeResultsDocument(
      't',
      [result('debian-12/zfs/ctr/kubespray'), result('debian-12/zfs/ctr/fixed')],
      new Date(0)
    )
    expect(parseResultsDocument(JSON.parse(JSON.stringify(doc)))).toEqual(doc)
    const bad = {
      ...doc,
      cells: [{ ...result('debian-12/zfs/ctr/kubespray'), status: 'fail', message: 'x' }]
    }
    expect(() => parseResultsDocument(bad)).toThrow('cells[0].signature: expected a string, found undefined')
  })

  it('collects shards downloaded as artifacts, the newest result of a cell winning', () => {
    const root = tempDir()
    for (const [shard, lines] of Object.entries({
      'zfs-join-shard-0': [
        result('debian-11/zfs/ctr/kubespray'),
        result('debian-12/zfs/ctr/kubespray', 'skipped', '2026-11-24T09:00:00.000Z'),
        result('debian-12/zfs/ctr/fixed', 'pass', '2026-11-24T09:00:00.000Z')
      ],
      'zfs-join-shard-1': [
        result('debian-12/zfs/ctr/kubespray', 'pass', '2026-11-24T11:00:00.000Z'),
        result('debian-12/zfs/ctr/fixed', 'skipped', '2026-11-24T08:00:00.000Z')
      ]
    })) {
      mkdirSync(join(root, shard))
      for (const l of lines) appendFileSync(join(root, shard, 'results.jsonl'), `${JSON.stringify(l)}\n`)
    }
    mkdirSync(join(root, 'old'))
    writeFileSync(
      join(root, 'old', 'results.json'),
      JSON.stringify({
        ...makeResultsDocument('t', [], new Date(0)),
        cells: [oldShape(result('debian-13/zfs/ctr'))]
      })
    )
    const merged = collectResults(root)
    expect(merged.map(r => [r.id, r.status]).sort()).toEqual([
      ['debian-11/zfs/ctr/kubespray', 'pass'],
      ['debian-12/zfs/ctr/fixed', 'pass'],
      ['debian-12/zfs/ctr/kubespray', 'pass'],
      ['debian-13/zfs/ctr/kubespray', 'pass']
    ])
    expect(readResultsFile(join(root, 'old', 'results.json')).cells).toHaveLength(1)
  })
})

describe('the fixtures', () => {
  const fixtures = join(import.meta.dirname, '../fixtures')

  it('match a baseline with three-part ids to results with four-part ids, cell by cell', () => {
    const results = collectResults(join(fixtures, 'results'))
    expect(results).toHaveLength(18)
    expect(results.every(r => r.id.endsWith('/kubespray') && r.variant === 'kubespray')).toBe(true)
    const baseline = readResultsFile(join(fixtures, 'baseline.json')).cells
    expect(baseline.map(r => r.id)).toEqual([
      'debian-12/overlayfs/ctr/kubespray',
      'debian-12/zfs/ctr/kubespray',
      'debian-13/zfs/ctr/kubespray'
    ])
    const diff = compareWithBaseline(results, baseline)
    expect(diff.regressions.map(r => [r.id, r.was, r.now])).toEqual([
      ['debian-12/overlayfs/ctr/kubespray', 'pass', 'fail']
    ])
    expect(diff.missingCells).toEqual(['debian-13/zfs/ctr/kubespray'])
    expect(diff.newCells).toHaveLength(16)
    expect(diff.newCells).not.toContain('debian-12/zfs/ctr/kubespray')
  })
})

/** A result as written before the variant axis existed: a three-part id and no variant field. */
function oldShape(r: CellResult): Record<string, unknown> {
  const { variant, ...rest } = r
  expect(variant).toBe('kubespray')
  return { ...rest, id: `${r.image}/${r.snapshotter}/${r.tool}` }
}
