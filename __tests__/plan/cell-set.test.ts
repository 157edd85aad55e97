import { describe, expect, it } from '@jest/globals'
import { SNAPSHOTTERS, TOOLS } from '../../src/plan/axes.js'
import { describeCells } from '../../src/plan/cell-set.js'
import { makeCell, type Cell } from '../../src/plan/cell.js'

const IMAGES = ['debian-11', 'debian-12', 'debian-13']
const all: Cell[] = IMAGES.flatMap(i => SNAPSHOTTERS.flatMap(s => TOOLS.map(t => makeCell(i, s, t))))
const where = (pred: (c: Cell) => boolean) => all.filter(pred)

describe('describeCells', () => {
  it('names every cell of the run as *', () => {
    expect(describeCells(all, all)).toBe('*')
  })

  it('names the cells of one image, one tool, or two snapshotters by the pattern that matches exactly them', () => {
    expect(
      describeCells(
        where(c => c.image === 'debian-12'),
        all
      )
    ).toBe('debian-12')
    expect(
      describeCells(
        where(c => c.tool === 'ctr'),
        all
      )
    ).toBe('*/*/ctr')
    expect(
      describeCells(
        where(c => c.snapshotter !== 'native' && c.image === 'debian-11'),
        all
      )
    ).toBe('debian-11/{overlayfs,zfs}')
  })

  it('names one cell by its id', () => {
    expect(describeCells([all[4]!], all)).toBe(all[4]!.id)
  })

  it('lists ids when no pattern matches exactly them, and counts the rest', () => {
    const diagonal = [all[0]!, all[13]!]
    expect(describeCells(diagonal, all)).toBe(`${all[0]!.id}, ${all[13]!.id}`)
    const scattered = where((c, i = all.indexOf(c)) => i % 5 === 0)
    expect(describeCells(scattered, all)).toBe(
      `${scattered[0]!.id}, ${scattered[1]!.id}, ${scattered[2]!.id} and ${scattered.length - 3} more`
    )
  })

  it('counts a cell once however often it is given', () => {
    expect(describeCells([all[0]!, all[0]!, all[1]!], all)).toBe('debian-11/overlayfs/{nerdctl,crictl}')
    expect(describeCells([all[0]!, all[0]!], all)).toBe(all[0]!.id)
  })
})
