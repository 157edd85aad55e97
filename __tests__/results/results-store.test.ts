import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import type { CellResult, Outcome } from '../../src/results/cell-result.js'
import { makeResultsDocument, parseResultsDocument } from '../../src/results/results-document.js'
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
    journal.append(result('debian-12/zfs/ctr', 'skipped'))
    journal.append(result('debian-13/zfs/ctr'))
    journal.append(result('debian-12/zfs/ctr'))
    expect(readJournal(journal.path).map(r => [r.id, r.status])).toEqual([
      ['debian-12/zfs/ctr', 'pass'],
      ['debian-13/zfs/ctr', 'pass']
    ])
  })

  it('names the file and line of a broken line', () => {
    const dir = tempDir()
    const path = join(dir, 'results.jsonl')
    writeFileSync(path, `${JSON.stringify(result('debian-12/zfs/ctr'))}\n{"id":\n`)
    expect(() => readJournal(path)).toThrow(`Invalid JSON at ${path} line 2`)
    writeFileSync(path, `${JSON.stringify({ ...result('debian-12/zfs/ctr'), status: 'passed' })}\n`)
    expect(() => readJournal(path)).toThrow(
      `Invalid results at ${path} line 1: cell.status: "passed" is not one of pass, fail, error, skipped, flaky`
    )
  })
})

describe('results.json', () => {
  it('round-trips and rejects a fail without a signature', () => {
    const doc = makeResultsDocument('t', [result('debian-12/zfs/ctr')], new Date(0))
    expect(parseResultsDocument(JSON.parse(JSON.stringify(doc)))).toEqual(doc)
    const bad = { ...doc, cells: [{ ...result('debian-12/zfs/ctr'), status: 'fail', message: 'x' }] }
    expect(() => parseResultsDocument(bad)).toThrow('cells[0].signature: expected a string, found undefined')
  })

  it('collects shards downloaded as artifacts, the newest result of a cell winning', () => {
    const root = tempDir()
    for (const [shard, lines] of Object.entries({
      'zfs-join-shard-0': [
        result('debian-11/zfs/ctr'),
        result('debian-12/zfs/ctr', 'skipped', '2026-11-24T09:00:00.000Z')
      ],
      'zfs-join-shard-1': [result('debian-12/zfs/ctr', 'pass', '2026-11-24T11:00:00.000Z')]
    })) {
      mkdirSync(join(root, shard))
      for (const l of lines) appendFileSync(join(root, shard, 'results.jsonl'), `${JSON.stringify(l)}\n`)
    }
    mkdirSync(join(root, 'old'))
    writeFileSync(
      join(root, 'old', 'results.json'),
      JSON.stringify(makeResultsDocument('t', [result('debian-13/zfs/ctr')], new Date(0)))
    )
    const merged = collectResults(root)
    expect(merged.map(r => [r.id, r.status]).sort()).toEqual([
      ['debian-11/zfs/ctr', 'pass'],
      ['debian-12/zfs/ctr', 'pass'],
      ['debian-13/zfs/ctr', 'pass']
    ])
    expect(readResultsFile(join(root, 'old', 'results.json')).cells).toHaveLength(1)
  })
})
