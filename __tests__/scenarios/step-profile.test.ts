import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { quantile, stepProfile } from '../../bench/step-profile.js'
import { cellResult } from '../builders.js'
import { tempDir } from '../helpers.js'

describe('stepProfile', () => {
  it('gives the median and p90 of each stage per image, in run order, from each cell timings.json', () => {
    const dir = tempDir()
    const cell = (id: string, n: number, pull: number[], total: number) => {
      mkdirSync(join(dir, `attempt-${n}`))
      const file = join(dir, `attempt-${n}`, 'timings.json')
      const timings = [{ step: 'zfs-reset', seconds: n }, ...pull.map(seconds => ({ step: 'pull', seconds }))]
      writeFileSync(file, JSON.stringify(timings))
      return cellResult(
        id,
        { status: 'pass' },
        { logs: [join(dir, 'steps.log'), file], durationSeconds: total }
      )
    }
    const cells = [
      cell('debian-12/zfs/ctr/kubespray', 1, [4], 10),
      cell('debian-12/zfs/crictl/kubespray', 2, [1, 2], 11),
      cell('debian-12/native/ctr/kubespray', 3, [], 12),
      cell('debian-13/zfs/ctr/kubespray', 4, [5], 9),
      // A cell skipped before any stage ran has no timings and counts nowhere.
      cellResult('debian-13/zfs/nerdctl/kubespray', { status: 'skipped', reason: 'r' })
    ]
    expect(stepProfile(cells, dir)).toEqual({
      'debian-12': {
        'zfs-reset': { cells: 3, median_seconds: 2, p90_seconds: 3 },
        pull: { cells: 2, median_seconds: 3, p90_seconds: 4 },
        whole_cell: { cells: 3, median_seconds: 11, p90_seconds: 12 }
      },
      'debian-13': {
        'zfs-reset': { cells: 1, median_seconds: 4, p90_seconds: 4 },
        pull: { cells: 1, median_seconds: 5, p90_seconds: 5 },
        whole_cell: { cells: 1, median_seconds: 9, p90_seconds: 9 }
      }
    })
    expect(Object.keys(stepProfile(cells, dir)['debian-12']!)).toEqual(['zfs-reset', 'pull', 'whole_cell'])
  })

  it('takes the nearest-rank quantile', () => {
    const xs = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10]
    expect([quantile(xs, 0.5), quantile(xs, 0.9), quantile([], 0.5), quantile([7], 0.9)]).toEqual([
      5, 9, 0, 7
    ])
  })
})
