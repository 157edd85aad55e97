import { describe, expect, it } from '@jest/globals'
import {
  dataMarker,
  readDataMarker,
  readStateMarker,
  stateMarker,
  titleMarker
} from '../../src/report/markers.js'
import { cellResult } from '../builders.js'

/** One HTML comment and nothing else: `<!--` at the start, the first `-->` at the very end, one line. */
function expectSingleComment(marker: string): void {
  expect(marker.startsWith('<!-- ')).toBe(true)
  expect(marker.indexOf('-->')).toBe(marker.length - 3)
  expect(marker.indexOf('<!--', 1)).toBe(-1)
  expect(marker).not.toMatch(/[\r\n]/)
}

describe('titleMarker', () => {
  it('is a hidden comment with the kind and a 16-hex-digit key', () => {
    expect(titleMarker('sticky', 'ZFS join matrix')).toMatch(/^<!-- zfs-join-matrix:sticky [0-9a-f]{16} -->$/)
    expect(titleMarker('issue', 'ZFS join matrix')).toMatch(/^<!-- zfs-join-matrix:issue [0-9a-f]{16} -->$/)
  })

  it('is the same for the same title every time', () => {
    expect(titleMarker('sticky', 'ZFS join matrix')).toBe(titleMarker('sticky', 'ZFS join matrix'))
    expect(titleMarker('issue', 'nightly')).toBe(titleMarker('issue', 'nightly'))
  })

  it('differs per kind and per title', () => {
    const markers = [
      titleMarker('sticky', 'ZFS join matrix'),
      titleMarker('issue', 'ZFS join matrix'),
      titleMarker('sticky', 'ZFS join matrix (nightly)'),
      titleMarker('sticky', 'zfs join matrix'),
      titleMarker('sticky', '')
    ]
    expect(new Set(markers).size).toBe(markers.length)
    // Same key for the same title whatever the kind: only the kind differs.
    const key = (m: string): string => m.split(' ')[2]!
    expect(key(markers[0]!)).toBe(key(markers[1]!))
    expect(key(markers[0]!)).not.toBe(key(markers[2]!))
  })

  it('stays one well-formed comment for a title holding -->, <!-- and line breaks', () => {
    const title = 'evil --> <script>alert(1)</script>\n<!-- more\r\n-->'
    const marker = titleMarker('sticky', title)
    expectSingleComment(marker)
    expect(marker).not.toContain('script')
    expect(marker).toMatch(/^<!-- zfs-join-matrix:sticky [0-9a-f]{16} -->$/)
    expect(marker).not.toBe(titleMarker('sticky', 'evil'))
  })
})

describe('stateMarker', () => {
  const results = [
    cellResult('debian-12/zfs/nerdctl', { status: 'pass' }),
    cellResult('debian-12/overlayfs/nerdctl', {
      status: 'fail',
      signature: 'overlayfs-mount-einval',
      message: 'mount failed'
    }),
    cellResult('debian-11/native/ctr', { status: 'flaky', failedAttempts: 1, signature: 'unknown' }),
    cellResult('debian-13/zfs/ctr', { status: 'skipped', reason: 'no kubespray' })
  ]
  const marker = stateMarker(results)

  it('is a hidden comment holding a sha256 digest', () => {
    expect(marker).toMatch(/^<!-- zfs-join-matrix:state [0-9a-f]{64} -->$/)
    expectSingleComment(marker)
  })

  it('ignores durations, log paths, finish times, tiers and the order of the results', () => {
    const reworded = results.map(r => ({
      ...r,
      durationSeconds: r.durationSeconds + 123,
      logs: [`logs/${r.id}/console.log`],
      finishedAt: '2030-06-01T12:00:00Z',
      tier: 'probe' as const
    }))
    expect(stateMarker(reworded)).toBe(marker)
    expect(stateMarker([...results].reverse())).toBe(marker)
    expect(stateMarker([results[2]!, results[0]!, results[3]!, results[1]!])).toBe(marker)
  })

  it('ignores the message of a failure, which holds run-specific text', () => {
    const other = results.map(r => (r.status === 'fail' ? { ...r, message: 'mount failed at 12:03' } : r))
    expect(stateMarker(other)).toBe(marker)
  })

  it('changes when a status changes', () => {
    const changed = [
      cellResult('debian-12/zfs/nerdctl', { status: 'error', message: 'vm did not boot' }),
      ...results.slice(1)
    ]
    expect(stateMarker(changed)).not.toBe(marker)
    const flakyToPass = results.map(r => (r.status === 'flaky' ? cellResult(r.id, { status: 'pass' }) : r))
    expect(stateMarker(flakyToPass)).not.toBe(marker)
  })

  it('changes when the signature of a failed or flaky cell changes', () => {
    const failSig = results.map(r =>
      r.status === 'fail' ? { ...r, signature: 'overlayfs-rename-whiteout' } : r
    )
    expect(stateMarker(failSig)).not.toBe(marker)
    const flakySig = results.map(r =>
      r.status === 'flaky' ? { ...r, signature: 'snapshot-missing-parent' } : r
    )
    expect(stateMarker(flakySig)).not.toBe(marker)
  })

  it('changes when a cell is added or removed', () => {
    expect(stateMarker(results.slice(1))).not.toBe(marker)
    expect(stateMarker([...results, cellResult('debian-13/zfs/nerdctl', { status: 'pass' })])).not.toBe(
      marker
    )
  })
})

describe('readStateMarker', () => {
  it('finds the state marker in a longer body', () => {
    const marker = stateMarker([cellResult('debian-12/zfs/ctr', { status: 'pass' })])
    const body = [
      titleMarker('sticky', 'ZFS join matrix'),
      '## ZFS join matrix',
      '',
      '| a | b |',
      marker,
      'footer <!-- zfs-join-matrix:state nothex -->'
    ].join('\n')
    expect(readStateMarker(body)).toBe(marker)
  })

  it('returns null when the body has none, or a malformed one', () => {
    expect(readStateMarker('')).toBeNull()
    expect(readStateMarker(`## matrix\n${titleMarker('sticky', 'x')}`)).toBeNull()
    expect(readStateMarker(`<!-- zfs-join-matrix:state ${'a'.repeat(63)} -->`)).toBeNull()
    expect(readStateMarker(`<!-- zfs-join-matrix:state ${'A'.repeat(64)} -->`)).toBeNull()
  })
})

describe('dataMarker / readDataMarker', () => {
  const value = {
    text: 'ends --> early <!-- and <script>alert("x")</script>',
    unicode: 'ZFS ✅ ❌ ⚠️ 🔁 — Ünïcødé 𝕏',
    nested: { list: [1, 2.5, null, true, ''], empty: {} },
    lines: 'a\nb\r\nc'
  }

  it('round-trips JSON holding -->, <script> and unicode', () => {
    const block = dataMarker('history', value)
    expect(readDataMarker(block, 'history')).toEqual(value)
  })

  it('is one well-formed comment whatever the value holds', () => {
    const block = dataMarker('history', value)
    expectSingleComment(block)
    expect(block).toMatch(/^<!-- zfs-join-matrix:history [A-Za-z0-9_-]+ -->$/)
    expect(block).not.toContain('<script>')
  })

  it('finds its block by name in a longer body', () => {
    const body = [
      '# Tracking issue',
      dataMarker('other', { not: 'this' }),
      'text',
      dataMarker('history', value),
      'more text'
    ].join('\n')
    expect(readDataMarker(body, 'history')).toEqual(value)
    expect(readDataMarker(body, 'other')).toEqual({ not: 'this' })
  })

  it('round-trips plain values', () => {
    for (const v of [0, 'x', [], null, false]) {
      expect(readDataMarker(dataMarker('v', v), 'v')).toEqual(v)
    }
  })

  it('returns undefined without a block or for a corrupt one', () => {
    expect(readDataMarker('no block here', 'history')).toBeUndefined()
    expect(readDataMarker(dataMarker('other', { a: 1 }), 'history')).toBeUndefined()
    // Not JSON once decoded.
    const notJson = Buffer.from('{"ids": [').toString('base64url')
    expect(readDataMarker(`<!-- zfs-join-matrix:history ${notJson} -->`, 'history')).toBeUndefined()
    // Characters outside base64url: not a block at all.
    expect(readDataMarker('<!-- zfs-join-matrix:history e30=!! -->', 'history')).toBeUndefined()
    // A block cut short by a hand edit.
    const cut = dataMarker('history', value).slice(0, 60) + ' -->'
    expect(readDataMarker(cut, 'history')).toBeUndefined()
  })
})
