import { describe, it, expect } from '@jest/globals'
import type { Outcome } from '../../src/results/cell-result.js'
import { compareWithBaseline, gateConclusion, type BaselineDiff } from '../../src/report/baseline.js'
import { MatrixCounts } from '../../src/report/counts.js'
import { cellResult as result } from '../builders.js'

const PASS: Outcome = { status: 'pass' }
const FLAKY: Outcome = { status: 'flaky', failedAttempts: 2, signature: 'overlayfs-rename-whiteout' }
const FAIL: Outcome = { status: 'fail', signature: 'overlayfs-mount-einval', message: 'invalid argument' }
const ERROR: Outcome = { status: 'error', message: 'qemu exited with 1' }
const skipped = (reason: string): Outcome => ({ status: 'skipped', reason })

const EMPTY_DIFF: BaselineDiff = { regressions: [], fixes: [], newCells: [], missingCells: [], notRun: [] }

describe('compareWithBaseline', () => {
  const baseline = [
    result('d12/overlayfs/nerdctl', PASS),
    result('d12/zfs/nerdctl', FLAKY),
    result('d12/native/ctr', FAIL),
    result('d11/zfs/ctr', ERROR),
    result('d13/zfs/ctr', PASS),
    result('d13/native/ctr', PASS),
    result('d13/overlayfs/ctr', FAIL),
    result('d13/zfs/crictl', skipped('no KVM')),
    result('gone/zfs/ctr', PASS)
  ]
  const current = [
    result('d12/overlayfs/nerdctl', {
      status: 'fail',
      signature: 'snapshot-missing-parent',
      message: 'bucket'
    }),
    result('d12/zfs/nerdctl', ERROR),
    result('d12/native/ctr', FLAKY),
    result('d11/zfs/ctr', PASS),
    result('d13/zfs/ctr', skipped('image build failed')),
    result('d13/native/ctr', PASS),
    result('d13/overlayfs/ctr', ERROR),
    result('d13/zfs/crictl', FAIL),
    result('new/zfs/ctr', FAIL)
  ]
  const diff = compareWithBaseline(current, baseline)

  it('reports a pass or flaky that now fails or errors as a regression, with the new failure', () => {
    expect(diff.regressions).toEqual([
      {
        id: 'd12/overlayfs/nerdctl',
        was: 'pass',
        now: 'fail',
        signature: 'snapshot-missing-parent',
        message: 'bucket'
      },
      { id: 'd12/zfs/nerdctl', was: 'flaky', now: 'error', message: 'qemu exited with 1' }
    ])
  })

  it('reports a fail or error that now passes as fixed', () => {
    expect(diff.fixes).toEqual([
      { id: 'd12/native/ctr', was: 'fail', now: 'flaky' },
      { id: 'd11/zfs/ctr', was: 'error', now: 'pass' }
    ])
  })

  it('lists new and missing cells by id', () => {
    expect(diff.newCells).toEqual(['new/zfs/ctr'])
    expect(diff.missingCells).toEqual(['gone/zfs/ctr'])
  })

  it('reports a passing cell that was skipped now as not run, with the reason', () => {
    expect(diff.notRun).toEqual([{ id: 'd13/zfs/ctr', reason: 'image build failed' }])
  })

  it('ignores failures that stayed failures and cells that were skipped in the baseline', () => {
    const mentioned = [
      ...diff.regressions.map(r => r.id),
      ...diff.fixes.map(f => f.id),
      ...diff.notRun.map(n => n.id)
    ]
    expect(mentioned).not.toContain('d13/overlayfs/ctr')
    expect(mentioned).not.toContain('d13/zfs/crictl')
    expect(mentioned).not.toContain('d13/native/ctr')
  })

  it('finds nothing when the runs agree', () => {
    expect(compareWithBaseline(baseline, baseline)).toEqual(EMPTY_DIFF)
  })
})

describe('gateConclusion', () => {
  const failing = new MatrixCounts([result('a/zfs/ctr', PASS), result('b/zfs/ctr', FAIL)])
  const green = new MatrixCounts([result('a/zfs/ctr', PASS), result('b/zfs/ctr', skipped('no KVM'))])
  const regressed: BaselineDiff = {
    ...EMPTY_DIFF,
    regressions: [{ id: 'b/zfs/ctr', was: 'pass', now: 'fail', signature: 'x', message: 'm' }]
  }

  it('fails on regressions only when a baseline shows some', () => {
    const r = gateConclusion('regressions', failing, regressed)
    expect(r.failed).toBe(true)
    expect(r.reason).toContain('b/zfs/ctr')
    expect(gateConclusion('regressions', failing, EMPTY_DIFF).failed).toBe(false)
  })

  it('never fails on regressions without a baseline, and says so', () => {
    const r = gateConclusion('regressions', failing, undefined)
    expect(r.failed).toBe(false)
    expect(r.reason).toMatch(/no baseline/)
  })

  it('fails on failures when any cell failed or errored, baseline or not', () => {
    expect(gateConclusion('failures', failing, undefined).failed).toBe(true)
    expect(gateConclusion('failures', new MatrixCounts([result('e/zfs/ctr', ERROR)]), undefined).failed).toBe(
      true
    )
    expect(gateConclusion('failures', green, regressed).failed).toBe(false)
  })

  it('never fails when told never', () => {
    expect(gateConclusion('never', failing, regressed).failed).toBe(false)
  })

  it('shortens a long list of regressions in the reason', () => {
    const ids = Array.from({ length: 8 }, (_, i) => `img-${i}/zfs/ctr`)
    const diff: BaselineDiff = {
      ...EMPTY_DIFF,
      regressions: ids.map(id => ({ id, was: 'pass' as const, now: 'error' as const, message: 'm' }))
    }
    const { reason } = gateConclusion('regressions', failing, diff)
    expect(reason).toContain('img-4/zfs/ctr and 3 more')
    expect(reason).not.toContain('img-5/zfs/ctr')
  })
})
