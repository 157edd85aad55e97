import { describe, expect, it } from '@jest/globals'
import { classify } from '../../src/diagnose/classify.js'
import { findSignature } from '../../src/diagnose/signatures.js'
import { SNAPSHOTTERS, TOOLS, VARIANTS } from '../../src/plan/axes.js'
import { makeCell } from '../../src/plan/cell.js'
import { toolSnapshotter } from '../../src/scenarios/probe/image-tools.js'
import { linesSince, mismatchLine } from '../../src/scenarios/probe/probe-cell.js'

const REF = '127.0.0.1:5000/zjm/probe:1'

describe('mismatchLine', () => {
  it('ctr (kubespray) on a zfs cell, image unpacked for overlayfs only: the S2 line', () => {
    const line = mismatchLine(makeCell('debian-12', 'zfs', 'ctr', 'kubespray'), REF, ['overlayfs'])
    expect(line).toBe(`ctr pulled ${REF} unpacked for snapshotter overlayfs but the CRI uses zfs`)
    const s2 = findSignature('tool-snapshotter-mismatch')!
    expect(s2.patterns.some(p => p.test(line!))).toBe(true)
    const diagnosis = classify([{ source: 'snapshots', text: line! }])
    expect(diagnosis.signature.id).toBe('tool-snapshotter-mismatch')
    expect(diagnosis.excerpt).toEqual([`snapshots: ${line}`])
  })

  it('nerdctl (kubespray) on a native cell names nerdctl and both snapshotters', () => {
    expect(mismatchLine(makeCell('debian-13', 'native', 'nerdctl', 'kubespray'), REF, ['overlayfs'])).toBe(
      `nerdctl pulled ${REF} unpacked for snapshotter overlayfs but the CRI uses native`
    )
  })

  it('none when the tool used the CRI snapshotter', () => {
    expect(mismatchLine(makeCell('debian-12', 'zfs', 'crictl', 'kubespray'), REF, ['zfs'])).toBeUndefined()
    expect(mismatchLine(makeCell('debian-12', 'zfs', 'ctr', 'fixed'), REF, ['zfs'])).toBeUndefined()
    expect(mismatchLine(makeCell('debian-12', 'native', 'nerdctl', 'fixed'), REF, ['native'])).toBeUndefined()
    expect(
      mismatchLine(makeCell('debian-12', 'overlayfs', 'ctr', 'kubespray'), REF, ['overlayfs'])
    ).toBeUndefined()
  })

  it('none when the CRI snapshotter holds the image too', () => {
    expect(
      mismatchLine(makeCell('debian-12', 'zfs', 'ctr', 'kubespray'), REF, ['overlayfs', 'zfs'])
    ).toBeUndefined()
  })

  it('none when nothing was unpacked, or not by the tool', () => {
    expect(mismatchLine(makeCell('debian-12', 'zfs', 'ctr', 'kubespray'), REF, [])).toBeUndefined()
    expect(
      mismatchLine(makeCell('debian-12', 'zfs', 'nerdctl', 'kubespray'), REF, ['native'])
    ).toBeUndefined()
  })

  it('over the whole matrix, a line exactly when the tool’s snapshotter alone holds the image', () => {
    for (const snapshotter of SNAPSHOTTERS)
      for (const tool of TOOLS)
        for (const variant of VARIANTS) {
          const cell = makeCell('debian-12', snapshotter, tool, variant)
          const line = mismatchLine(cell, REF, [toolSnapshotter(cell)])
          const expected = variant === 'kubespray' && tool !== 'crictl' && snapshotter !== 'overlayfs'
          expect([cell.id, line !== undefined]).toEqual([cell.id, expected])
          if (line !== undefined)
            expect(classify([{ source: 'snapshots', text: line }]).signature.code).toBe('S2')
        }
  })
})

describe('linesSince', () => {
  const DMESG = [
    '[    1.000000] Linux version 6.1.0-27-cloud-amd64',
    '[   38.220117] overlayfs: upper fs does not support RENAME_WHITEOUT.',
    '    continuation of the 38 s line',
    '[   43.500000] containerd started',
    '[   43.598916] overlayfs: upper fs missing required features.',
    'Call Trace:',
    ' <TASK>',
    '[  120.1] later'
  ].join('\n')

  it('keeps the stamped lines at or after the uptime, with their continuation lines', () => {
    expect(linesSince(DMESG, 43.5)).toBe(
      [
        '[   43.500000] containerd started',
        '[   43.598916] overlayfs: upper fs missing required features.',
        'Call Trace:',
        ' <TASK>',
        '[  120.1] later'
      ].join('\n')
    )
  })

  it('drops the continuation lines of a dropped line', () => {
    const kept = linesSince(DMESG, 40)
    expect(kept).not.toContain('continuation of the 38 s line')
    expect(kept).not.toContain('RENAME_WHITEOUT')
    expect(kept.split('\n')[0]).toBe('[   43.500000] containerd started')
  })

  it('uptime 0 keeps every line after the first stamp; an unstamped head has no line to go with', () => {
    expect(linesSince(DMESG, 0)).toBe(DMESG)
    expect(linesSince(`orphan line\n${DMESG}`, 0)).toBe(DMESG)
  })

  it('nothing after the uptime gives nothing', () => {
    expect(linesSince(DMESG, 500)).toBe('')
    expect(linesSince('', 0)).toBe('')
  })

  it('compares numbers, not text', () => {
    expect(linesSince('[    9.5] a\n[   10.0] b\n[  100.0] c', 9.6)).toBe('[   10.0] b\n[  100.0] c')
  })
})
