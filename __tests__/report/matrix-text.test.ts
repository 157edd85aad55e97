import { describe, expect, it } from '@jest/globals'
import { parseCellId, type Cell } from '../../src/plan/cell.js'
import { renderMatrixText } from '../../src/report/matrix-text.js'
import { cellResult } from '../builders.js'

function cells(...ids: string[]): Cell[] {
  return ids.map(id => parseCellId(id) ?? []).flat()
}

describe('renderMatrixText', () => {
  it('draws the grid report.md starts with in aligned columns, then versions, codes and notes', () => {
    const planned = cells(
      'debian-12/overlayfs/ctr/kubespray',
      'debian-12/zfs/ctr/kubespray',
      'debian-12/overlayfs/ctr/fixed',
      'debian-12/zfs/ctr/fixed'
    )
    const versions = { kernel: '6.1.0-50-cloud-amd64', openzfs: '2.1.11-1+deb12u1' }
    const results = [
      cellResult(
        'debian-12/overlayfs/ctr/kubespray',
        { status: 'fail', signature: 'overlayfs-rename-whiteout', message: 'm' },
        { versions }
      ),
      cellResult(
        'debian-12/zfs/ctr/kubespray',
        { status: 'pass' },
        { versions, notes: ['model of upstream'] }
      ),
      cellResult('debian-12/overlayfs/ctr/fixed', { status: 'skipped', reason: 'r' }, { versions })
    ]
    expect(renderMatrixText(results, planned)).toBe(
      [
        '                   overlayfs  zfs',
        'image              ctr        ctr',
        'debian-12          ❌ Z2      ✅ [1]',
        'debian-12 · fixed  ⏭️         ⏳',
        '',
        'debian-12: kernel 6.1.0-50-cloud-amd64 · OpenZFS 2.1.11-1+deb12u1',
        '',
        'Z2 = renaming a lower-layer file fails on overlayfs over ZFS (overlayfs-rename-whiteout)',
        '',
        '[1] model of upstream'
      ].join('\n')
    )
  })

  it('prints guest text without its control characters, and says when nothing was planned', () => {
    const weird = cellResult(
      'debian-12/zfs/ctr/kubespray',
      { status: 'pass' },
      { versions: { kernel: '6.1\u001b[31m' } }
    )
    const text = renderMatrixText([weird], [])
    expect(text).toContain('debian-12: kernel 6.1 · OpenZFS')
    expect(text).not.toContain('\u001b')
    expect(renderMatrixText([], [])).toBe('No cells planned.')
  })
})
