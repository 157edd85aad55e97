import { describe, expect, it } from '@jest/globals'
import {
  EMPTY_HISTORY,
  addRun,
  flipsAt,
  historyBlock,
  isRegressionFlip,
  readHistory,
  renderHistory,
  type Flip,
  type History
} from '../../src/report/issue-history.js'
import { dataMarker } from '../../src/report/markers.js'
import type { CellResult } from '../../src/results/cell-result.js'
import { cellResult } from '../builders.js'

const A = 'debian-12/zfs/nerdctl'
const B = 'debian-12/overlayfs/nerdctl'
const C = 'debian-13/zfs/ctr'
const id = (short: string): string => `${short}/kubespray`

const pass = (cell: string): CellResult => cellResult(cell, { status: 'pass' })
const fail = (cell: string): CellResult =>
  cellResult(cell, { status: 'fail', signature: 'overlayfs-mount-einval', message: 'einval' })
const error = (cell: string): CellResult => cellResult(cell, { status: 'error', message: 'boom' })
const flaky = (cell: string): CellResult =>
  cellResult(cell, { status: 'flaky', failedAttempts: 1, signature: 'unknown' })
const skipped = (cell: string): CellResult => cellResult(cell, { status: 'skipped', reason: 'no' })

const run = (runId: number) => ({
  runId,
  url: `https://github.com/octo/kubespray/actions/runs/${runId}`,
  finishedAt: `2026-01-0${runId % 10}T0${runId % 10}:15:42Z`
})

function twoRuns(): History {
  const first = addRun(EMPTY_HISTORY, [pass(A), fail(B)], run(1), 10)
  return addRun(first, [fail(A), pass(B), pass(C)], run(2), 10)
}

describe('addRun', () => {
  it('starts a history from nothing', () => {
    expect(addRun(EMPTY_HISTORY, [pass(A), fail(B), skipped(C)], run(1), 10)).toEqual({
      ids: [id(A), id(B), id(C)],
      runs: [{ ...run(1), states: 'pfs' }]
    })
  })

  it('puts the newest run first and widens older runs with - for new cells', () => {
    expect(twoRuns()).toEqual({
      ids: [id(A), id(B), id(C)],
      runs: [
        { ...run(2), states: 'fpp' },
        { ...run(1), states: 'pf-' }
      ]
    })
  })

  it('writes - for a cell a run has no result for, and a code for every status', () => {
    const h1 = addRun(EMPTY_HISTORY, [pass(A), flaky(B), fail(C), error('debian-11/zfs/ctr')], run(1), 10)
    const h2 = addRun(h1, [skipped(B)], run(2), 10)
    expect(h2.runs.map(r => r.states)).toEqual(['-s--', 'pkfe'])
  })

  it('keeps only the newest `keep` runs and drops ids no kept run has', () => {
    let h = addRun(EMPTY_HISTORY, [pass(A)], run(1), 2)
    h = addRun(h, [pass(B)], run(2), 2)
    expect(h.ids).toEqual([id(A), id(B)])
    h = addRun(h, [fail(C)], run(3), 2)
    expect(h).toEqual({
      ids: [id(B), id(C)],
      runs: [
        { ...run(3), states: '-f' },
        { ...run(2), states: 'p-' }
      ]
    })
    expect(addRun(h, [pass(A)], run(4), 1)).toEqual({ ids: [id(A)], runs: [{ ...run(4), states: 'p' }] })
  })

  it('does not change the history it is given', () => {
    const h = addRun(EMPTY_HISTORY, [pass(A)], run(1), 10)
    const copy = JSON.parse(JSON.stringify(h)) as History
    addRun(h, [fail(A), pass(B)], run(2), 10)
    expect(h).toEqual(copy)
    expect(EMPTY_HISTORY).toEqual({ ids: [], runs: [] })
  })
})

describe('flipsAt and isRegressionFlip', () => {
  it('lists exactly the cells that changed, a new cell as null → status', () => {
    expect(flipsAt(twoRuns(), 0)).toEqual([
      { id: id(A), was: 'pass', now: 'fail' },
      { id: id(B), was: 'fail', now: 'pass' },
      { id: id(C), was: null, now: 'pass' }
    ])
  })

  it('has no flips for the oldest run, an index past the end, or an unchanged run', () => {
    const h = twoRuns()
    expect(flipsAt(h, 1)).toEqual([])
    expect(flipsAt(h, 5)).toEqual([])
    expect(flipsAt(EMPTY_HISTORY, 0)).toEqual([])
    const same = addRun(h, [fail(A), pass(B), pass(C)], run(3), 10)
    expect(flipsAt(same, 0)).toEqual([])
    expect(flipsAt(same, 1)).toEqual(flipsAt(h, 0))
  })

  it('lists a cell that disappeared as status → null', () => {
    const h = addRun(twoRuns(), [fail(A), pass(B)], run(3), 10)
    expect(flipsAt(h, 0)).toEqual([{ id: id(C), was: 'pass', now: null }])
  })

  it('is a regression only from passing (pass, flaky) to failing (fail, error)', () => {
    const flip = (was: Flip['was'], now: Flip['now']): boolean => isRegressionFlip({ id: 'x', was, now })
    expect(flip('pass', 'fail')).toBe(true)
    expect(flip('pass', 'error')).toBe(true)
    expect(flip('flaky', 'error')).toBe(true)
    expect(flip('flaky', 'fail')).toBe(true)
    expect(flip('fail', 'pass')).toBe(false)
    expect(flip('error', 'fail')).toBe(false)
    expect(flip('pass', 'skipped')).toBe(false)
    expect(flip('pass', 'flaky')).toBe(false)
    expect(flip('skipped', 'fail')).toBe(false)
    expect(flip(null, 'fail')).toBe(false)
    expect(flip('pass', null)).toBe(false)
    expect(flipsAt(twoRuns(), 0).map(isRegressionFlip)).toEqual([true, false, false])
  })
})

describe('readHistory / historyBlock', () => {
  it('round-trips inside a longer issue body', () => {
    const h = twoRuns()
    const body = [
      '<!-- zfs-join-matrix:issue 0123456789abcdef -->',
      '## Matrix',
      '',
      historyBlock(h),
      'end'
    ].join('\n')
    expect(readHistory(body)).toEqual(h)
  })

  it('round-trips a run without id or url', () => {
    const h = addRun(EMPTY_HISTORY, [pass(A)], { runId: null, url: null, finishedAt: 'x' }, 10)
    expect(readHistory(historyBlock(h))).toEqual(h)
  })

  const valid = {
    ids: ['a/zfs/ctr/kubespray'],
    runs: [{ runId: 1, url: null, finishedAt: 't', states: 'p' }]
  }

  it('accepts the valid block used by the cases below', () => {
    expect(readHistory(dataMarker('history', valid))).toEqual(valid)
  })

  const broken: [string, string | undefined][] = [
    ['no body', undefined],
    ['a body without a block', '## Matrix\nno history here'],
    ['garbage in the block', '<!-- zfs-join-matrix:history bm90IGpzb24 -->'],
    ['a block that is not an object', dataMarker('history', [1, 2])],
    ['null', dataMarker('history', null)],
    ['ids not strings', dataMarker('history', { ...valid, ids: [1] })],
    ['runs missing', dataMarker('history', { ids: [] })],
    ['states shorter than ids', dataMarker('history', { ...valid, ids: ['a', 'b'] })],
    ['states longer than ids', dataMarker('history', { ...valid, ids: [] })],
    ['an unknown state code', dataMarker('history', { ...valid, runs: [{ ...valid.runs[0], states: 'x' }] })],
    ['runId a string', dataMarker('history', { ...valid, runs: [{ ...valid.runs[0], runId: '1' }] })],
    ['finishedAt missing', dataMarker('history', { ...valid, runs: [{ ...valid.runs[0], finishedAt: 1 }] })],
    [
      'a javascript: url',
      dataMarker('history', { ...valid, runs: [{ ...valid.runs[0], url: 'javascript:alert(1)' }] })
    ],
    [
      'a url that closes the link',
      dataMarker('history', { ...valid, runs: [{ ...valid.runs[0], url: 'https://x/a)(b' }] })
    ],
    [
      'a url with a space',
      dataMarker('history', { ...valid, runs: [{ ...valid.runs[0], url: 'https://x/a "title"' }] })
    ],
    [
      'a url with a pipe, which would split the table row',
      dataMarker('history', { ...valid, runs: [{ ...valid.runs[0], url: 'https://x/a|b' }] })
    ],
    [
      'a url ending in a backslash, which would escape the link end',
      dataMarker('history', { ...valid, runs: [{ ...valid.runs[0], url: 'https://x/a\\' }] })
    ],
    ['a fractional runId', dataMarker('history', { ...valid, runs: [{ ...valid.runs[0], runId: 1.5 }] })],
    ['a url with <', dataMarker('history', { ...valid, runs: [{ ...valid.runs[0], url: 'https://x/<b>' }] })]
  ]

  it.each(broken)('is the empty history for %s', (_name, body) => {
    expect(readHistory(body)).toBe(EMPTY_HISTORY)
  })
})

describe('renderHistory', () => {
  const HEADER = '| Run | Finished (UTC) | ✅ | ❌ | ⚠️ | ⏭️ | Cells that flipped since the run before |'

  it('renders a header and one row per run, newest first, with counts and flips', () => {
    expect(renderHistory(twoRuns())).toBe(
      [
        '### History (last 2 runs)',
        '',
        HEADER,
        '| --- | --- | --: | --: | --: | --: | --- |',
        `| [#2](${run(2).url}) | 2026-01-02 02:15 | 2 | 1 | 0 | 0 | **${id(A)} ✅→❌**, ${id(B)} ❌→✅, ${id(C)} ∅→✅ |`,
        `| [#1](${run(1).url}) | 2026-01-01 01:15 | 1 | 1 | 0 | 0 |  |`
      ].join('\n')
    )
  })

  it('says "run" for one run and writes a run without id or url as plain text', () => {
    const h = addRun(
      EMPTY_HISTORY,
      [pass(A)],
      { runId: null, url: null, finishedAt: '2026-03-04T05:06:07.123Z' },
      10
    )
    expect(renderHistory(h).split('\n')).toEqual([
      '### History (last 1 run)',
      '',
      HEADER,
      '| --- | --- | --: | --: | --: | --: | --- |',
      '| run | 2026-03-04 05:06 | 1 | 0 | 0 | 0 |  |'
    ])
    const numbered = addRun(EMPTY_HISTORY, [pass(A)], { runId: 7, url: null, finishedAt: 'now' }, 10)
    expect(renderHistory(numbered).split('\n')[4]).toBe('| #7 | now | 1 | 0 | 0 | 0 |  |')
  })

  it('counts flaky with pass, and each other status in its column', () => {
    const h = addRun(
      EMPTY_HISTORY,
      [
        pass('i1/zfs/ctr'),
        flaky('i2/zfs/ctr'),
        fail('i3/zfs/ctr'),
        fail('i4/zfs/ctr'),
        error('i5/zfs/ctr'),
        error('i6/zfs/ctr'),
        error('i7/zfs/ctr'),
        skipped('i8/zfs/ctr')
      ],
      run(1),
      10
    )
    const row = renderHistory(addRun(h, [pass('i1/zfs/ctr')], run(2), 10)).split('\n')
    expect(row[4]).toMatch(/^\| \[#2\]\([^)]*\) \| 2026-01-02 02:15 \| 1 \| 0 \| 0 \| 0 \| /)
    expect(row[5]).toBe(`| [#1](${run(1).url}) | 2026-01-01 01:15 | 2 | 2 | 3 | 1 |  |`)
  })

  it('lists regressions first and in bold, at most 8 flips, then counts the rest', () => {
    const fixed = Array.from({ length: 6 }, (_, i) => `fixed-${i}/zfs/ctr`)
    const broke = Array.from({ length: 4 }, (_, i) => `broke-${i}/zfs/ctr`)
    const before = addRun(EMPTY_HISTORY, [...fixed.map(fail), ...broke.map(pass)], run(1), 10)
    const after = addRun(before, [...fixed.map(pass), ...broke.map(error)], run(2), 10)
    const flips = renderHistory(after).split('\n')[4]!.split(' | ')[6]!.replace(/ \|$/, '')
    expect(flips).toBe(
      [
        ...broke.map(c => `**${c}/kubespray ✅→⚠️**`),
        ...fixed.slice(0, 4).map(c => `${c}/kubespray ❌→✅`),
        '… and 2 more'
      ].join(', ')
    )
  })

  it('shows exactly 8 flips without "… and more"', () => {
    const cells = Array.from({ length: 8 }, (_, i) => `c${i}/zfs/ctr`)
    const h = addRun(addRun(EMPTY_HISTORY, cells.map(pass), run(1), 10), cells.map(fail), run(2), 10)
    const row = renderHistory(h).split('\n')[4]!
    expect(row.match(/\*\*c\d\/zfs\/ctr\/kubespray ✅→❌\*\*/g)).toHaveLength(8)
    expect(row).not.toContain('more')
  })

  it('escapes Markdown in cell ids and finish times read back from an issue', () => {
    const h: History = {
      ids: ['a|b*c/zfs/ctr/kubespray'],
      runs: [
        { runId: 2, url: null, finishedAt: '<b>|x', states: 'f' },
        { runId: 1, url: null, finishedAt: 't', states: 'p' }
      ]
    }
    const rows = renderHistory(h).split('\n')
    expect(rows).toHaveLength(6)
    expect(rows[4]).toBe(
      '| #2 | &#60;b&#62;&#124;x | 0 | 1 | 0 | 0 | **a&#124;b&#42;c/zfs/ctr/kubespray ✅→❌** |'
    )
  })

  it('renders an empty history as the header alone', () => {
    expect(renderHistory(EMPTY_HISTORY).split('\n')).toEqual([
      '### History (last 0 runs)',
      '',
      HEADER,
      '| --- | --- | --: | --: | --: | --: | --- |'
    ])
  })
})
