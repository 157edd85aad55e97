import { describe, expect, it } from '@jest/globals'
import type { Tier } from '../../src/plan/axes.js'
import type { Outcome, TierOutcome } from '../../src/results/cell-result.js'
import { decideCell } from '../../src/run/decide.js'

const t = (tier: Tier, o: Outcome): TierOutcome => ({ ...o, tier, attempts: 1, durationSeconds: 1 })
const pass: Outcome = { status: 'pass' }
const fail: Outcome = { status: 'fail', signature: 'overlayfs-mount-einval', message: 'boom' }
const skip = (reason: string): Outcome => ({ status: 'skipped', reason })

describe('decideCell', () => {
  it('the deepest tier that ran decides', () => {
    expect(decideCell(['lint', 'probe'], [t('lint', fail), t('probe', pass)])).toEqual({
      outcome: pass,
      tier: 'probe'
    })
    expect(decideCell(['lint', 'probe'], [t('lint', pass), t('probe', fail)])).toEqual({
      outcome: fail,
      tier: 'probe'
    })
  })

  it('a shallow pass does not stand in for a deeper tier that was skipped', () => {
    const decided = decideCell(['lint', 'probe'], [t('lint', pass), t('probe', skip('no kvm'))])
    expect(decided.outcome).toEqual({ status: 'skipped', reason: 'lint passed; probe skipped: no kvm' })
    expect(decided.tier).toBe('probe')
  })

  it('an observed failure stands when a deeper tier was skipped', () => {
    expect(decideCell(['lint', 'probe'], [t('lint', fail), t('probe', skip('no kvm'))])).toEqual({
      outcome: fail,
      tier: 'lint'
    })
  })

  it('all skipped: the deepest reason', () => {
    const decided = decideCell(
      ['lint', 'probe'],
      [t('lint', skip('no kubespray')), t('probe', skip('no qemu'))]
    )
    expect(decided).toEqual({ outcome: skip('no qemu'), tier: 'probe' })
  })

  it('nothing ran at all', () => {
    expect(decideCell(['probe'], [])).toEqual({ outcome: skip('no tier ran (requested: probe)'), tier: null })
  })
})
