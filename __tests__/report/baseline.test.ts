import { describe, it, expect } from '@jest/globals'
import type { Outcome } from '../../src/results/cell-result.js'
import { compareWithBaseline, gateConclusion, type BaselineDiff } from '../../src/report/baseline.js'
import { MatrixCounts } from '../../src/report/counts.js'
import { makeResultsDocument, parseResultsDocument } from '../../src/results/results-document.js'
import { cellResult as result } from '../builders.js'

const PASS: Outcome = { status: 'pass' }
const FLAKY: Outcome = { status: 'flaky', failedAttempts: 2, signature: 'overlayfs-rename-whiteout' }
const FAIL: Outcome = { status: 'fail', signature: 'overlayfs-mount-einval', message: 'invalid argument' }
const ERROR: Outcome = { status: 'error', message: 'qemu exited with 1' }
const skipped = (reason: string): Outcome => ({ status: 'skipped', reason })

const EMPTY_DIFF: BaselineDiff = { regressions: [], fixes: [], newCells: [], missingCells: [], notRun: [] }

describe('compareWithBaseline', () => {
  const baseline = [
    result('d12/overlayfs/nerdctl/kubespray', PASS),
    result('d12/zfs/nerdctl/kubespray', FLAKY),
    result('d12/native/ctr/kubespray', FAIL),
    result('d11/zfs/ctr/kubespray', ERROR),
    result('d13/zfs/ctr/kubespray', PASS),
    result('d13/native/ctr/kubespray', PASS),
    result('d13/overlayfs/ctr/kubespray', FAIL),
    result('d13/zfs/crictl/kubespray', skipped('no KVM')),
    result('gone/zfs/ctr/kubespray', PASS)
  ]
  const current = [
    result('d12/overlayfs/nerdctl/kubespray', {
      status: 'fail',
      signature: 'snapshot-missing-parent',
      message: 'bucket'
    }),
    result('d12/zfs/nerdctl/kubespray', ERROR),
    result('d12/native/ctr/kubespray', FLAKY),
    result('d11/zfs/ctr/kubespray', PASS),
    result('d13/zfs/ctr/kubespray', skipped('image build failed')),
    result('d13/native/ctr/kubespray', PASS),
    result('d13/overlayfs/ctr/kubespray', ERROR),
    result('d13/zfs/crictl/kubespray', FAIL),
    result('new/zfs/ctr/kubespray', FAIL)
  ]
  const diff = compareWithBaseline(current, baseline)

  it('reports a pass or flaky that now fails or errors as a regression, with the new failure', () => {
    expect(diff.regressions).toEqual([
      {
        id: 'd12/overlayfs/nerdctl/kubespray',
        was: 'pass',
        now: 'fail',
        signature: 'snapshot-missing-parent',
        message: 'bucket'
      },
      { id: 'd12/zfs/nerdctl/kubespray', was: 'flaky', now: 'error', message: 'qemu exited with 1' }
    ])
  })

  it('reports a fail or error that now passes as fixed', () => {
    expect(diff.fixes).toEqual([
      { id: 'd12/native/ctr/kubespray', was: 'fail', now: 'flaky' },
      { id: 'd11/zfs/ctr/kubespray', was: 'error', now: 'pass' }
    ])
  })

  it('lists new and missing cells by id', () => {
    expect(diff.newCells).toEqual(['new/zfs/ctr/kubespray'])
    expect(diff.missingCells).toEqual(['gone/zfs/ctr/kubespray'])
  })

  it('reports a passing cell that was skipped now as not run, with the reason', () => {
    expect(diff.notRun).toEqual([{ id: 'd13/zfs/ctr/kubespray', reason: 'image build failed' }])
  })

  it('ignores failures that stayed failures and cells that were skipped in the baseline', () => {
    const mentioned = [
      ...diff.regressions.map(r => r.id),
      ...diff.fixes.map(f => f.id),
      ...diff.notRun.map(n => n.id)
    ]
    expect(mentioned).not.toContain('d13/overlayfs/ctr/kubespray')
    expect(mentioned).not.toContain('d13/zfs/crictl/kubespray')
    expect(mentioned).not.toContain('d13/native/ctr/kubespray')
  })

  it('finds nothing when the runs agree', () => {
    expect(compareWithBaseline(baseline, baseline)).toEqual(EMPTY_DIFF)
  })
})

describe('compareWithBaseline across the variant axis', () => {
  it('keeps the variants of one cell apart', () => {
    const baseline = [result('d12/zfs/ctr/kubespray', FAIL), result('d12/zfs/nerdctl/fixed', PASS)]
    const current = [
      result('d12/zfs/ctr/kubespray', FAIL),
      result('d12/zfs/ctr/fixed', PASS),
      result('d12/zfs/nerdctl/kubespray', PASS),
      result('d12/zfs/nerdctl/fixed', ERROR)
    ]
    expect(compareWithBaseline(current, baseline)).toEqual({
      ...EMPTY_DIFF,
      regressions: [
        { id: 'd12/zfs/nerdctl/fixed', was: 'pass', now: 'error', message: 'qemu exited with 1' }
      ],
      newCells: ['d12/zfs/ctr/fixed', 'd12/zfs/nerdctl/kubespray']
    })
  })

  it('matches a baseline written before the variant axis existed to the kubespray cells of this run', () => {
    // A results.json as an older version wrote it: three-part ids and no variant field.
    const old = JSON.parse(
      JSON.stringify(
        makeResultsDocument(
          'old',
          [result('d12/zfs/ctr', PASS), result('d12/native/ctr', FAIL), result('d11/zfs/ctr', PASS)],
          new Date(0)
        )
      ),
      (key: string, value: unknown) =>
        key === 'variant'
          ? undefined
          : key === 'id' && typeof value === 'string'
            ? value.replace(/\/kubespray$/, '')
            : value
    ) as unknown
    expect(JSON.stringify(old)).not.toContain('kubespray')
    const baseline = parseResultsDocument(old).cells
    const current = [
      result('d12/zfs/ctr/kubespray', FAIL),
      result('d12/zfs/ctr/fixed', PASS),
      result('d12/native/ctr/kubespray', PASS),
      result('d11/zfs/ctr/kubespray', PASS)
    ]
    expect(compareWithBaseline(current, baseline)).toEqual({
      ...EMPTY_DIFF,
      regressions: [
        {
          id: 'd12/zfs/ctr/kubespray',
          was: 'pass',
          now: 'fail',
          signature: 'overlayfs-mount-einval',
          message: 'invalid argument'
        }
      ],
      fixes: [{ id: 'd12/native/ctr/kubespray', was: 'fail', now: 'pass' }],
      newCells: ['d12/zfs/ctr/fixed']
    })
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

  it('fails on a harness error under regressions too, with or without a baseline; never only reports it', () => {
    const errored = new MatrixCounts([result('a/zfs/ctr', PASS), result('e/zfs/ctr', ERROR)])
    for (const diff of [undefined, EMPTY_DIFF]) {
      expect(gateConclusion('regressions', errored, diff)).toEqual({
        failed: true,
        reason:
          '1 of 2 cells errored: the harness could not test it, so the matrix is not a result (fail-on: never reports only).'
      })
    }
    expect(gateConclusion('never', errored, undefined).failed).toBe(false)
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
