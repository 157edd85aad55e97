import { describe, it, expect } from '@jest/globals'
import type { CellResult, NodeVersions, Outcome } from '../../src/results/cell-result.js'
import { makeCell, parseCellId, type Cell } from '../../src/plan/cell.js'
import { latestResults, renderLegend, renderMatrixTable } from '../../src/report/matrix-table.js'
import { cellResult } from '../builders.js'

const result = (id: string, outcome: Outcome, versions: NodeVersions = {}): CellResult =>
  cellResult(id, outcome, { versions })

function cells(...ids: string[]): Cell[] {
  return ids.map(id => {
    const cell = parseCellId(id)
    if (cell === undefined) throw new Error(`bad id ${id}`)
    return cell
  })
}

/** The table as rows of trimmed cells, split on the pipes GFM would split on. */
function grid(table: string): string[][] {
  return table.split('\n').map(line =>
    line
      .split('|')
      .slice(1, -1)
      .map(c => c.trim())
  )
}

const PASS: Outcome = { status: 'pass' }
const fail = (signature: string): Outcome => ({ status: 'fail', signature, message: 'm' })

describe('renderMatrixTable', () => {
  it('orders rows by the plan and columns by SNAPSHOTTERS then TOOLS, planned combinations only', () => {
    const planned = cells(
      'debian-13/native/ctr/kubespray',
      'debian-11/zfs/nerdctl/kubespray',
      'debian-13/overlayfs/ctr/kubespray',
      'debian-11/zfs/ctr/kubespray'
    )
    const rows = grid(renderMatrixTable([], planned))
    expect(rows[0]).toEqual(['image', 'overlayfs<br>ctr', 'zfs<br>nerdctl', 'zfs<br>ctr', 'native<br>ctr'])
    expect(rows[1]).toEqual(['---', ':-:', ':-:', ':-:', ':-:'])
    expect(rows.slice(2).map(r => r[0]?.split('<br>')[0])).toEqual(['debian-13', 'debian-11'])
  })

  it('draws each status, the signature code, not-run and not-planned cells', () => {
    const planned = cells(
      'debian-12/overlayfs/nerdctl/kubespray',
      'debian-12/overlayfs/crictl/kubespray',
      'debian-12/overlayfs/ctr/kubespray',
      'debian-12/zfs/nerdctl/kubespray',
      'debian-12/zfs/crictl/kubespray',
      'debian-12/zfs/ctr/kubespray',
      'debian-12/native/nerdctl/kubespray',
      'debian-13/native/crictl/kubespray'
    )
    const results = [
      result('debian-12/overlayfs/nerdctl/kubespray', fail('overlayfs-mount-einval')),
      result('debian-12/overlayfs/crictl/kubespray', {
        status: 'flaky',
        failedAttempts: 1,
        signature: 'overlayfs-rename-whiteout'
      }),
      result('debian-12/overlayfs/ctr/kubespray', fail('no-such-signature')),
      result('debian-12/zfs/nerdctl/kubespray', PASS),
      result('debian-12/zfs/crictl/kubespray', { status: 'error', message: 'qemu died' }),
      result('debian-12/zfs/ctr/kubespray', { status: 'skipped', reason: 'no KVM' })
    ]
    const rows = grid(renderMatrixTable(results, planned))
    expect(rows[0]?.slice(1)).toEqual([
      'overlayfs<br>nerdctl',
      'overlayfs<br>crictl',
      'overlayfs<br>ctr',
      'zfs<br>nerdctl',
      'zfs<br>crictl',
      'zfs<br>ctr',
      'native<br>nerdctl',
      'native<br>crictl'
    ])
    expect(rows[2]?.slice(1)).toEqual(['❌ Z1', '🔁 Z2', '❌ ?', '✅', '⚠️', '⏭️', '⏳', '·'])
    expect(rows[3]?.slice(1)).toEqual(['·', '·', '·', '·', '·', '·', '·', '⏳'])
  })

  it('labels a row with the versions read in the first result that has them', () => {
    const planned = cells(
      'debian-12/zfs/ctr/kubespray',
      'debian-12/native/ctr/kubespray',
      'debian-12/overlayfs/ctr/kubespray'
    )
    const results = [
      result('debian-12/zfs/ctr/kubespray', { status: 'skipped', reason: 'x' }),
      result('debian-12/native/ctr/kubespray', PASS, { kernel: '6.1.0-50', openzfs: '2.1.11' }),
      result('debian-12/overlayfs/ctr/kubespray', PASS, { kernel: '6.1.0-99', openzfs: '2.1.99' })
    ]
    expect(grid(renderMatrixTable(results, planned))[2]?.[0]).toBe(
      'debian-12<br>kernel 6.1.0-50 · OpenZFS 2.1.11'
    )
  })

  it('falls back to the catalogue, marked as expected, and to "versions unknown"', () => {
    const planned = cells(
      'debian-12/zfs/ctr/kubespray',
      'custom/zfs/ctr/kubespray',
      'debian-11/zfs/ctr/kubespray'
    )
    const results = [result('debian-11/zfs/ctr/kubespray', PASS, { kernel: '5.10.0-30' })]
    const rows = grid(renderMatrixTable(results, planned))
    expect(rows[2]?.[0]).toBe('debian-12<br>kernel 6.1 · OpenZFS 2.1 (expected; not booted)')
    expect(rows[3]?.[0]).toBe('custom<br>versions unknown')
    expect(rows[4]?.[0]).toBe('debian-11<br>kernel 5.10.0-30 · OpenZFS 2.0 (expected; not read)')
  })

  it('escapes image names and guest-reported versions so they cannot add columns or markup', () => {
    // No slash in the name: the test helper splits ids on it.
    const image = 'evil|name<img src=x onerror=alert(1)>|x'
    const planned = [makeCell(image, 'zfs', 'ctr'), makeCell(image, 'native', 'ctr')]
    const results = [
      result(`${image}/zfs/ctr/kubespray`, PASS, { kernel: '6.1 | `x`', openzfs: '<b>2.3</b>' })
    ]
    const table = renderMatrixTable(results, planned)
    const rows = grid(table)
    expect(rows.map(r => r.length)).toEqual([3, 3, 3])
    expect(table).not.toContain('<img')
    expect(table).not.toContain('<b>')
    expect(rows[2]?.slice(1)).toEqual(['✅', '⏳'])
  })

  it('shows a result whose cell is not in the plan rather than hiding it', () => {
    const rows = grid(
      renderMatrixTable([result('debian-13/zfs/ctr/kubespray', fail('overlayfs-mount-einval'))], [])
    )
    expect(rows[0]).toEqual(['image', 'zfs<br>ctr'])
    expect(rows[2]?.[1]).toBe('❌ Z1')
  })

  it('shows the last result of a cell reported twice', () => {
    const results = [
      result('debian-13/zfs/ctr/kubespray', fail('overlayfs-mount-einval')),
      result('debian-13/zfs/ctr/kubespray', PASS)
    ]
    expect(grid(renderMatrixTable(results, cells('debian-13/zfs/ctr/kubespray')))[2]?.[1]).toBe('✅')
    expect(latestResults(results)).toHaveLength(1)
  })

  it('puts the fixed row of an image right under its kubespray row, whatever the plan order', () => {
    const planned = cells(
      'debian-13/zfs/ctr/fixed',
      'debian-13/zfs/ctr/kubespray',
      'debian-11/zfs/ctr/kubespray',
      'debian-11/zfs/ctr/fixed',
      'debian-11/native/ctr/kubespray'
    )
    const results = [
      result('debian-13/zfs/ctr/kubespray', fail('overlayfs-mount-einval'), {
        kernel: '6.12',
        openzfs: '2.3'
      }),
      result('debian-13/zfs/ctr/fixed', PASS),
      result('debian-11/native/ctr/kubespray', PASS)
    ]
    const rows = grid(renderMatrixTable(results, planned))
    expect(rows[0]).toEqual(['image', 'zfs<br>ctr', 'native<br>ctr'])
    expect(rows.slice(2)).toEqual([
      ['debian-13<br>kernel 6.12 · OpenZFS 2.3', '❌ Z1', '·'],
      ['debian-13 · fixed<br>kernel 6.12 · OpenZFS 2.3', '✅', '·'],
      ['debian-11<br>kernel 5.10 · OpenZFS 2.0 (expected; not booted)', '⏳', '✅'],
      ['debian-11 · fixed<br>kernel 5.10 · OpenZFS 2.0 (expected; not booted)', '⏳', '·']
    ])
  })

  it('shows only the fixed row when only the fixed variant is planned', () => {
    const planned = cells('debian-12/zfs/ctr/fixed', 'debian-12/zfs/nerdctl/fixed')
    const rows = grid(renderMatrixTable([result('debian-12/zfs/ctr/fixed', PASS)], planned))
    expect(rows).toHaveLength(3)
    expect(rows[2]?.[0]?.startsWith('debian-12 · fixed<br>')).toBe(true)
    expect(rows[2]?.slice(1)).toEqual(['⏳', '✅'])
  })

  it('adds the row of a variant that has a result but was not planned', () => {
    const rows = grid(
      renderMatrixTable(
        [result('debian-12/zfs/ctr/fixed', PASS)],
        cells('debian-12/zfs/ctr/kubespray', 'debian-12/native/ctr/kubespray')
      )
    )
    expect(rows.slice(2).map(r => [r[0]?.split('<br>')[0], ...r.slice(1)])).toEqual([
      ['debian-12', '⏳', '⏳'],
      ['debian-12 · fixed', '✅', '·']
    ])
  })

  it('says so when nothing was planned', () => {
    expect(renderMatrixTable([], [])).toBe('_No cells planned._')
  })
})

describe('renderLegend', () => {
  it('explains every symbol', () => {
    const legend = renderLegend([])
    for (const symbol of ['✅', '🔁', '❌', '⚠️', '⏭️', '⏳', '·']) expect(legend).toContain(symbol)
  })

  it('lists the codes in the table with title and id, in catalogue order, and no others', () => {
    const legend = renderLegend([
      result('a/zfs/ctr/kubespray', fail('overlayfs-mount-einval')),
      result('a/zfs/nerdctl/kubespray', {
        status: 'flaky',
        failedAttempts: 1,
        signature: 'zfs-snapshotter-not-a-dataset'
      }),
      result('a/native/ctr/kubespray', fail('overlayfs-mount-einval')),
      result('a/native/nerdctl/kubespray', fail('unknown')),
      result('a/overlayfs/ctr/kubespray', fail('from-a-newer-catalogue'))
    ])
    const lines = legend.split('\n').filter(l => l.startsWith('- '))
    expect(lines).toEqual([
      '- **Z3** zfs snapshotter root is not on ZFS (`zfs-snapshotter-not-a-dataset`)',
      '- **Z1** overlayfs cannot mount with its upper dir on ZFS (`overlayfs-mount-einval`)',
      '- **?** unrecognised failure (`unknown`)',
      '- **?** a signature this version does not know (`from-a-newer-catalogue`)'
    ])
  })

  it('leaves out the signature of a result the table no longer shows', () => {
    const legend = renderLegend([
      result('a/zfs/ctr/kubespray', fail('overlayfs-mount-einval')),
      result('a/zfs/ctr/kubespray', PASS)
    ])
    expect(legend).not.toContain('Z1')
  })
})
