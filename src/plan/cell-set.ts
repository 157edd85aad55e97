import type { Cell } from './cell.js'

type Axis = 'image' | 'snapshotter' | 'tool' | 'variant'
const AXES: readonly Axis[] = ['image', 'snapshotter', 'tool', 'variant']

/**
 * A short name for some of a run's cells, so that 36 cells skipped for one reason take one line: the
 * pattern, in include's `image/snapshotter/tool/variant` form, whose matches among `all` are exactly
 * `cells` (an axis is `*` when the cells take every value it has in the run, `{a,b}` when they take
 * several); when no such pattern names them, the first ids and how many more there are.
 */
export function describeCells(cells: readonly Cell[], all: readonly Cell[]): string {
  const ids = [...new Set(cells.map(c => c.id))]
  if (ids.length === 0) return 'no cells'
  if (ids.length === 1) return ids[0]!
  const chosen = AXES.map(axis => new Set(cells.map(c => c[axis])))
  const matching = all.filter(c => AXES.every((axis, i) => chosen[i]!.has(c[axis])))
  if (new Set(matching.map(c => c.id)).size === ids.length) {
    const parts = AXES.map((axis, i) => {
      const values = [...chosen[i]!]
      if (values.length === new Set(all.map(c => c[axis])).size) return '*'
      return values.length === 1 ? values[0]! : `{${values.join(',')}}`
    })
    while (parts.length > 1 && parts.at(-1) === '*') parts.pop()
    return parts.join('/')
  }
  const shown = ids.slice(0, 3).join(', ')
  return ids.length > 3 ? `${shown} and ${ids.length - 3} more` : shown
}
