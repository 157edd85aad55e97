import { describe, expect, it } from '@jest/globals'
import { IMAGES } from '../../src/images/catalogue.js'
import { SNAPSHOTTERS, TOOLS } from '../../src/plan/axes.js'
import { parseCellId } from '../../src/plan/cell.js'
import { matchesCell, parseCellPattern, type CellPattern } from '../../src/plan/pattern.js'
import { expandAxes, filterCells } from '../../src/plan/plan.js'
import { defaultShardCount, partition, selectShard, strategyMatrix } from '../../src/plan/shard.js'

const axes = { images: IMAGES, snapshotters: SNAPSHOTTERS, tools: TOOLS }
const pattern = (text: string): CellPattern => {
  const p = parseCellPattern(text)
  if (typeof p === 'string') throw new Error(p)
  return p
}

describe('cells', () => {
  it('expands image-major with stable ids', () => {
    const cells = expandAxes(axes)
    expect(cells).toHaveLength(36)
    expect(cells.slice(0, 4).map(c => c.id)).toEqual([
      'debian-11/overlayfs/nerdctl',
      'debian-11/overlayfs/crictl',
      'debian-11/overlayfs/ctr',
      'debian-11/zfs/nerdctl'
    ])
    expect(new Set(cells.map(c => c.id)).size).toBe(36)
  })

  it('parses an id back, and rejects what is not one', () => {
    expect(parseCellId('debian-12/zfs/nerdctl')).toEqual({
      id: 'debian-12/zfs/nerdctl',
      image: 'debian-12',
      snapshotter: 'zfs',
      tool: 'nerdctl'
    })
    expect(parseCellId('debian-12/zfs')).toBeUndefined()
    expect(parseCellId('debian-12/btrfs/ctr')).toBeUndefined()
    expect(parseCellId('/zfs/ctr')).toBeUndefined()
  })
})

describe('patterns', () => {
  const cell = parseCellId('debian-12-zfs23/overlayfs/crictl')!

  it.each([
    ['debian-12-zfs23/overlayfs/crictl', true],
    ['debian-12-zfs23', true],
    ['debian-12*/*/crictl', true],
    ['debian-12/*/*', false],
    ['*/overlay*', true],
    ['*/*/ctr', false],
    ['debian-1?/*/*', false]
  ])('%s matches: %s', (text, expected) => {
    const p = parseCellPattern(text)
    if (typeof p === 'string') {
      expect(expected).toBe(false)
      return
    }
    expect(matchesCell(p, cell)).toBe(expected)
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
      'debian-12/zfs/nerdctl',
      'debian-12/zfs/crictl',
      'debian-12/native/nerdctl',
      'debian-12/native/crictl'
    ])
  })
})

describe('shards', () => {
  const cells = expandAxes(axes)

  it('partitions every cell exactly once, in order, into near-equal chunks', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 36]) {
      const chunks = partition(cells, n)
      expect(chunks).toHaveLength(n)
      expect(chunks.flat()).toEqual(cells)
      const sizes = chunks.map(c => c.length)
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
    }
  })

  it('one shard per image by default, each holding that image only', () => {
    expect(defaultShardCount(cells)).toBe(4)
    const matrix = strategyMatrix(cells, 4)
    expect(matrix.include.map(j => j.name)).toEqual([
      'debian-11',
      'debian-12',
      'debian-12-zfs23',
      'debian-13'
    ])
    expect(matrix.include.map(j => j.shard)).toEqual(['1/4', '2/4', '3/4', '4/4'])
    expect(selectShard(cells, { index: 2, count: 4 }).every(c => c.image === 'debian-12')).toBe(true)
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
