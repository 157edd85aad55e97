import { describe, expect, it } from '@jest/globals'
import { classify } from '../../src/diagnose/classify.js'
import { findSignature } from '../../src/diagnose/signatures.js'
import { SNAPSHOTTERS, TOOLS, VARIANTS } from '../../src/plan/axes.js'
import { cmd } from '../../src/exec/command.js'
import { makeCell } from '../../src/plan/cell.js'
import { modelConfig } from '../../src/scenarios/probe/cell-config.js'
import { toolSnapshotter } from '../../src/scenarios/probe/image-tools.js'
import { mismatchLine } from '../../src/scenarios/probe/probe-cell.js'
import { linesSince } from '../../src/scenarios/probe/trace.js'

const REF = '127.0.0.1:5000/zjm/probe:1'
const MODEL = {
  containerd: { major: 1, minor: 6 },
  registry: '127.0.0.1:5000',
  sandboxImage: '127.0.0.1:5000/zjm/pause:1',
  probeImage: REF
}

/** What mismatchLine reads of a cell's configuration: the CRI's snapshotter and the pull's tool. */
function pulling(tool: 'ctr' | 'nerdctl' | 'crictl', criSnapshotter: string) {
  return { criSnapshotter, pullTool: tool, pull: cmd(`/usr/local/bin/${tool}`, 'pull', REF) }
}

describe('mismatchLine', () => {
  it('a ctr pull on a zfs CRI, image unpacked for overlayfs only: the S2 line', () => {
    const line = mismatchLine(pulling('ctr', 'zfs'), REF, ['overlayfs'])
    expect(line).toBe(`ctr pulled ${REF} unpacked for snapshotter overlayfs but the CRI uses zfs`)
    const s2 = findSignature('tool-snapshotter-mismatch')!
    expect(s2.patterns.some(p => p.test(line!))).toBe(true)
    const diagnosis = classify([{ source: 'snapshots', text: line! }])
    expect(diagnosis.signature.id).toBe('tool-snapshotter-mismatch')
    expect(diagnosis.excerpt).toEqual([`snapshots: ${line}`])
  })

  it('names the tool the pull really ran and both snapshotters', () => {
    expect(mismatchLine(pulling('nerdctl', 'native'), REF, ['overlayfs'])).toBe(
      `nerdctl pulled ${REF} unpacked for snapshotter overlayfs but the CRI uses native`
    )
  })

  it('none when the image is where the CRI looks', () => {
    expect(mismatchLine(pulling('crictl', 'zfs'), REF, ['zfs'])).toBeUndefined()
    expect(mismatchLine(pulling('ctr', 'overlayfs'), REF, ['overlayfs'])).toBeUndefined()
    expect(mismatchLine(pulling('ctr', 'zfs'), REF, ['overlayfs', 'zfs'])).toBeUndefined()
  })

  it('none when nothing was unpacked', () => {
    expect(mismatchLine(pulling('ctr', 'zfs'), REF, [])).toBeUndefined()
  })

  it("over the model's whole matrix, a line exactly when the tool's snapshotter is not the CRI's", () => {
    for (const snapshotter of SNAPSHOTTERS)
      for (const tool of TOOLS)
        for (const variant of VARIANTS) {
          const cell = makeCell('debian-12', snapshotter, tool, variant)
          const config = modelConfig(cell, MODEL)
          const line = mismatchLine(config, REF, [toolSnapshotter(cell)])
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
