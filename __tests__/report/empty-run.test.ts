import { describe, expect, it } from '@jest/globals'
import type { Tier } from '../../src/plan/axes.js'
import type { Outcome, TierOutcome } from '../../src/results/cell-result.js'
import { emptyRunConclusion } from '../../src/report/empty-run.js'
import { testedAnything } from '../../src/results/untested.js'
import { cellResult } from '../builders.js'

const tier = (t: Tier, outcome: Outcome): TierOutcome => ({
  ...outcome,
  tier: t,
  attempts: 1,
  durationSeconds: 0
})
const noCheckout = tier('lint', { status: 'skipped', reason: 'no kubespray checkout (set kubespray-path)' })
const noQemu = tier('probe', { status: 'skipped', reason: 'qemu-system-x86_64 is not installed' })
const ids = ['debian-11', 'debian-12'].flatMap(i => ['zfs', 'native'].map(s => `${i}/${s}/ctr/kubespray`))

describe('fail-on-empty', () => {
  it('fails a run where every tier skipped every cell, one line per reason with tier, count and pattern', () => {
    const results = ids.map(id =>
      cellResult(id, { status: 'skipped', reason: 'no tier ran' }, { tiers: [noCheckout, noQemu] })
    )
    expect(testedAnything(results)).toBe(false)
    expect(emptyRunConclusion(results)).toEqual({
      failed: true,
      reason: [
        'Nothing was tested: no tier passed or failed any of the 4 cells (fail-on-empty; set it to false to allow such a run).',
        'lint skipped 4 cells (*): no kubespray checkout (set kubespray-path)',
        'probe skipped 4 cells (*): qemu-system-x86_64 is not installed'
      ].join('\n')
    })
  })

  it('counts harness errors as untested, naming the first line of each message and the cells it hit', () => {
    const crashed = tier('probe', {
      status: 'error',
      message: 'could not prepare debian-12 for probe: qemu exited\nserial…'
    })
    const results = ids.map(id =>
      cellResult(
        id,
        { status: 'error', message: 'x' },
        { tiers: [noCheckout, id.startsWith('debian-12') ? crashed : noQemu] }
      )
    )
    expect(emptyRunConclusion(results)?.reason.split('\n').slice(1)).toEqual([
      'lint skipped 4 cells (*): no kubespray checkout (set kubespray-path)',
      'probe skipped 2 cells (debian-11): qemu-system-x86_64 is not installed',
      'probe errored on 2 cells (debian-12): could not prepare debian-12 for probe: qemu exited'
    ])
  })

  it('lets a run pass the empty check as soon as one tier passed or failed one cell', () => {
    const passedLint = tier('lint', { status: 'pass' })
    const failedProbe = tier('probe', { status: 'fail', signature: 'overlayfs-mount-einval', message: 'm' })
    const skipped = ids.map(id =>
      cellResult(id, { status: 'skipped', reason: 'r' }, { tiers: [noCheckout, noQemu] })
    )
    // A cell whose lint passed and whose probe was skipped is itself skipped, yet lint tested it.
    const lintOnly = cellResult(
      ids[0]!,
      { status: 'skipped', reason: 'lint passed; probe skipped' },
      { tiers: [passedLint, noQemu] }
    )
    expect(emptyRunConclusion([...skipped.slice(1), lintOnly])).toBeNull()
    const failing = cellResult(
      ids[0]!,
      { status: 'fail', signature: 'overlayfs-mount-einval', message: 'm' },
      { tiers: [noCheckout, failedProbe] }
    )
    expect(emptyRunConclusion([...skipped.slice(1), failing])).toBeNull()
  })

  it('names cells no tier was tried on by their own reason', () => {
    const results = ids.map(id =>
      cellResult(id, { status: 'skipped', reason: 'cancelled before it started' })
    )
    expect(emptyRunConclusion(results)?.reason.split('\n')[1]).toBe(
      'every tier skipped 4 cells (*): cancelled before it started'
    )
  })
})
