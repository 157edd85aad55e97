import type { ImageSpec } from '../images/catalogue.js'
import type { Snapshotter, Tool, Variant } from './axes.js'
import { makeCell, type Cell } from './cell.js'
import { matchesCell, type CellPattern } from './pattern.js'

export interface Axes {
  readonly images: readonly ImageSpec[]
  readonly snapshotters: readonly Snapshotter[]
  readonly tools: readonly Tool[]
  readonly variants: readonly Variant[]
}

/** Every combination, image-major, so the cells of one image (one VM) stay together. */
export function expandAxes(axes: Axes): Cell[] {
  return axes.images.flatMap(image =>
    axes.variants.flatMap(variant =>
      axes.snapshotters.flatMap(snapshotter =>
        axes.tools.map(tool => makeCell(image.name, snapshotter, tool, variant))
      )
    )
  )
}

export function filterCells(
  cells: readonly Cell[],
  include: readonly CellPattern[],
  exclude: readonly CellPattern[]
): Cell[] {
  return cells.filter(
    cell =>
      (include.length === 0 || include.some(p => matchesCell(p, cell))) &&
      !exclude.some(p => matchesCell(p, cell))
  )
}

export interface Selection {
  readonly axes: Axes
  readonly include: readonly CellPattern[]
  readonly exclude: readonly CellPattern[]
}

export function planCells(selection: Selection): Cell[] {
  return filterCells(expandAxes(selection.axes), selection.include, selection.exclude)
}
