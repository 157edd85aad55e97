import { describe, expect, it } from '@jest/globals'
import { IMAGES } from '../../src/images/catalogue.js'
import { SNAPSHOTTERS, TOOLS, VARIANTS } from '../../src/plan/axes.js'
import { makeCell, parseCellId } from '../../src/plan/cell.js'
import { matchesCell, parseCellPattern, type CellPattern } from '../../src/plan/pattern.js'
import { expandAxes, filterCells } from '../../src/plan/plan.js'
import { defaultShardCount, partition, selectShard, strategyMatrix } from '../../src/plan/shard.js'

// The four images of the default matrix.
const axes = { images: IMAGES.slice(0, 4), snapshotters: SNAPSHOTTERS, tools: TOOLS, variants: VARIANTS }
const pattern = (text: string): CellPattern => {
  const p = parseCellPattern(text)
  if (typeof p === 'string') throw new Error(p)
  return p
}

describe('cells', () => {
  it('expands image-major, then variant, snapshotter and tool, with stable ids', () => {
    const cells = expandAxes(axes)
    expect(cells).toHaveLength(72)
    expect(cells.slice(0, 4).map(c => c.id)).toEqual([
      'debian-11/overlayfs/nerdctl/kubespray',
      'debian-11/overlayfs/crictl/kubespray',
      'debian-11/overlayfs/ctr/kubespray',
      'debian-11/zfs/nerdctl/kubespray'
    ])
    // The kubespray cells of an image, then its fixed cells, then the next image.
    expect(cells.slice(8, 11).map(c => c.id)).toEqual([
      'debian-11/native/ctr/kubespray',
      'debian-11/overlayfs/nerdctl/fixed',
      'debian-11/overlayfs/crictl/fixed'
    ])
    expect(cells.slice(17, 19).map(c => c.id)).toEqual([
      'debian-11/native/ctr/fixed',
      'debian-12/overlayfs/nerdctl/kubespray'
    ])
    expect(new Set(cells.map(c => c.id)).size).toBe(72)
    for (const image of axes.images) {
      for (const variant of VARIANTS) {
        expect(cells.filter(c => c.image === image.name && c.variant === variant)).toHaveLength(9)
      }
    }
  })

  it('expands only the variants asked for', () => {
    const fixedOnly = expandAxes({ ...axes, variants: ['fixed'] })
    expect(fixedOnly).toHaveLength(36)
    expect(fixedOnly.every(c => c.variant === 'fixed' && c.id.endsWith('/fixed'))).toBe(true)
    expect(expandAxes({ ...axes, variants: [] })).toEqual([])
  })

  it('makes the kubespray variant unless told otherwise', () => {
    expect(makeCell('debian-12', 'zfs', 'ctr')).toEqual({
      id: 'debian-12/zfs/ctr/kubespray',
      image: 'debian-12',
      snapshotter: 'zfs',
      tool: 'ctr',
      variant: 'kubespray'
    })
    expect(makeCell('debian-12', 'zfs', 'ctr', 'fixed').id).toBe('debian-12/zfs/ctr/fixed')
  })

  it('parses an id back, and rejects what is not one', () => {
    expect(parseCellId('debian-12/zfs/nerdctl/fixed')).toEqual({
      id: 'debian-12/zfs/nerdctl/fixed',
      image: 'debian-12',
      snapshotter: 'zfs',
      tool: 'nerdctl',
      variant: 'fixed'
    })
    expect(parseCellId('debian-12/zfs/nerdctl/kubespray')?.variant).toBe('kubespray')
    expect(parseCellId('debian-12/zfs')).toBeUndefined()
    expect(parseCellId('debian-12/btrfs/ctr')).toBeUndefined()
    expect(parseCellId('debian-12/btrfs/ctr/fixed')).toBeUndefined()
    expect(parseCellId('/zfs/ctr')).toBeUndefined()
    expect(parseCellId('debian-12/zfs/ctr/patched')).toBeUndefined()
    expect(parseCellId('debian-12/zfs/ctr/')).toBeUndefined()
    expect(parseCellId('debian-12/zfs/ctr/fixed/extra')).toBeUndefined()
  })

  it('reads an id written before the variant axis existed as the kubespray variant', () => {
    expect(parseCellId('debian-12/zfs/nerdctl')).toEqual({
      id: 'debian-12/zfs/nerdctl/kubespray',
      image: 'debian-12',
      snapshotter: 'zfs',
      tool: 'nerdctl',
      variant: 'kubespray'
    })
  })
})

describe('patterns', () => {
  const cell = parseCellId('debian-12-zfs23/overlayfs/crictl/kubespray')!
  const fixed = parseCellId('debian-12-zfs23/overlayfs/crictl/fixed')!

  it.each([
    ['debian-12-zfs23/overlayfs/crictl', true, true],
    ['debian-12-zfs23/overlayfs/crictl/kubespray', true, false],
    ['debian-12-zfs23/overlayfs/crictl/fixed', false, true],
    ['debian-12-zfs23', true, true],
    ['debian-12*/*/crictl', true, true],
    ['debian-12*/*/crictl/*', true, true],
    ['*/*/*/fix*', false, true],
    ['debian-12/*/*', false, false],
    ['*/overlay*', true, true],
    ['*/*/ctr', false, false],
    ['debian-1?/*/*', false, false]
  ])('%s matches kubespray: %s, fixed: %s', (text, kubespray, fix) => {
    const p = parseCellPattern(text)
    if (typeof p === 'string') {
      expect(kubespray || fix).toBe(false)
      return
    }
    expect(matchesCell(p, cell)).toBe(kubespray)
    expect(matchesCell(p, fixed)).toBe(fix)
  })

  it('rejects a pattern with more than four parts, saying what a pattern is', () => {
    expect(parseCellPattern('debian-12/zfs/ctr/fixed/more')).toBe(
      'has more than four parts (image/snapshotter/tool/variant)'
    )
    expect(parseCellPattern('debian-12/zfs//fixed')).toBe('has an empty part')
    expect(parseCellPattern('debian-12/zfs/ctr/fix+ed')).toBe(
      'part "fix+ed" may only hold letters, digits, ".", "_", "-" and "*"'
    )
  })

  it('treats regex characters literally', () => {
    expect(matchesCell(pattern('debian.12'), parseCellId('debian-12/zfs/ctr')!)).toBe(false)
  })

  it('include keeps matches, exclude drops them', () => {
    const kept = filterCells(
      expandAxes(axes),
      [pattern('debian-12/*/*')],
      [pattern('*/overlayfs/*'), pattern('*/*/ctr')]
    )
    expect(kept.map(c => c.id)).toEqual([
      'debian-12/zfs/nerdctl/kubespray',
      'debian-12/zfs/crictl/kubespray',
      'debian-12/native/nerdctl/kubespray',
      'debian-12/native/crictl/kubespray',
      'debian-12/zfs/nerdctl/fixed',
      'debian-12/zfs/crictl/fixed',
      'debian-12/native/nerdctl/fixed',
      'debian-12/native/crictl/fixed'
    ])
  })

  it('selects a variant with a four-part pattern, and every variant with a three-part one', () => {
    const all = expandAxes(axes)
    const fixedOnly = filterCells(all, [pattern('debian-12/*/*/fixed')], [])
    expect(fixedOnly).toHaveLength(9)
    expect(fixedOnly.every(c => c.image === 'debian-12' && c.variant === 'fixed')).toBe(true)
    const ctr = filterCells(all, [pattern('*/*/ctr')], [])
    expect(ctr).toHaveLength(4 * 2 * 3)
    expect(ctr.filter(c => c.variant === 'kubespray')).toHaveLength(12)
    expect(ctr.filter(c => c.variant === 'fixed')).toHaveLength(12)
    expect(ctr.every(c => c.tool === 'ctr')).toBe(true)
    const noFixed = filterCells(all, [], [pattern('*/*/*/fixed')])
    expect(noFixed).toHaveLength(36)
    expect(noFixed.every(c => c.variant === 'kubespray')).toBe(true)
  })
})

describe('shards', () => {
  const cells = expandAxes(axes)

  it('partitions every cell exactly once, in order, into near-equal chunks', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 36, 72]) {
      const chunks = partition(cells, n)
      expect(chunks).toHaveLength(n)
      expect(chunks.flat()).toEqual(cells)
      const sizes = chunks.map(c => c.length)
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
    }
  })

  it('one shard per image by default, each holding that image only, both variants', () => {
    expect(defaultShardCount(cells)).toBe(4)
    const matrix = strategyMatrix(cells, 4)
    expect(matrix.include.map(j => j.name)).toEqual([
      'debian-11',
      'debian-12',
      'debian-12-zfs23',
      'debian-13'
    ])
    expect(matrix.include.map(j => j.shard)).toEqual(['1/4', '2/4', '3/4', '4/4'])
    const second = selectShard(cells, { index: 2, count: 4 })
    expect(second).toHaveLength(18)
    expect(second.every(c => c.image === 'debian-12')).toBe(true)
    expect(new Set(second.map(c => c.variant))).toEqual(new Set(VARIANTS))
  })

  it('never plans more than 256 jobs', () => {
    const many = Array.from({ length: 300 }, (_, i) => parseCellId(`img-${i}/zfs/ctr`)!)
    expect(defaultShardCount(many)).toBe(256)
  })

  it('run mode recomputes the same shard the plan listed', () => {
    const matrix = strategyMatrix(cells, 5)
    matrix.include.forEach((job, i) => {
      expect(
        selectShard(cells, { index: i + 1, count: 5 })
          .map(c => c.id)
          .join(' ')
      ).toBe(job.cells)
    })
  })
})
