import { describe, it, expect } from '@jest/globals'
import type { CellResult, Outcome } from '../../src/results/cell-result.js'
import { MatrixCounts } from '../../src/report/counts.js'
import { cellResult as result } from '../builders.js'

function many(n: number, prefix: string, outcome: Outcome): CellResult[] {
  return Array.from({ length: n }, (_, i) => result(`${prefix}-${i}/zfs/ctr`, outcome))
}

const PASS: Outcome = { status: 'pass' }
const FLAKY: Outcome = { status: 'flaky', failedAttempts: 1, signature: 'overlayfs-rename-whiteout' }
const FAIL: Outcome = { status: 'fail', signature: 'overlayfs-mount-einval', message: 'invalid argument' }
const ERROR: Outcome = { status: 'error', message: 'qemu exited' }
const SKIPPED: Outcome = { status: 'skipped', reason: 'no KVM' }

describe('MatrixCounts', () => {
  it('counts flaky cells as passed and also on their own', () => {
    const counts = new MatrixCounts([
      ...many(3, 'p', PASS),
      ...many(2, 'f', FLAKY),
      ...many(4, 'x', FAIL),
      ...many(1, 'e', ERROR),
      ...many(5, 's', SKIPPED)
    ])
    expect([
      counts.total,
      counts.passed,
      counts.flaky,
      counts.failed,
      counts.errored,
      counts.skipped
    ]).toEqual([15, 5, 2, 4, 1, 5])
  })

  it('writes the summary line', () => {
    const counts = new MatrixCounts([
      ...many(19, 'p', PASS),
      ...many(1, 'f', FLAKY),
      ...many(8, 'x', FAIL),
      ...many(8, 's', SKIPPED)
    ])
    expect(counts.summaryLine()).toBe('36 cells: 20 passed (1 flaky), 8 failed, 0 errors, 8 skipped')
  })

  it('uses the singular for one, and leaves out "flaky" when there is none', () => {
    expect(new MatrixCounts([result('a/zfs/ctr', ERROR)]).summaryLine()).toBe(
      '1 cell: 0 passed, 0 failed, 1 error, 0 skipped'
    )
    expect(new MatrixCounts([]).summaryLine()).toBe('0 cells: 0 passed, 0 failed, 0 errors, 0 skipped')
  })

  it('derives every figure from the results when read', () => {
    const results: CellResult[] = [result('a/zfs/ctr', PASS)]
    const counts = new MatrixCounts(results)
    expect(counts.failed).toBe(0)
    results.push(result('b/zfs/ctr', FAIL))
    expect([counts.total, counts.failed]).toEqual([2, 1])
  })
})
