import { SNAPSHOTTERS, TOOLS, VARIANTS, isOneOf, type Snapshotter, type Tool, type Variant } from './axes.js'

/** A cell's id: image/snapshotter/tool/variant, e.g. `debian-12/zfs/nerdctl/kubespray`. */
export type CellId = `${string}/${Snapshotter}/${Tool}/${Variant}`

/**
 * One point of the axes. Its id (`debian-12/zfs/nerdctl/kubespray`) is stable across runs: baselines
 * key on it.
 */
export interface Cell {
  readonly id: CellId
  readonly image: string
  readonly snapshotter: Snapshotter
  readonly tool: Tool
  readonly variant: Variant
}

export function makeCell(
  image: string,
  snapshotter: Snapshotter,
  tool: Tool,
  variant: Variant = 'kubespray'
): Cell {
  return { id: `${image}/${snapshotter}/${tool}/${variant}`, image, snapshotter, tool, variant }
}

/**
 * Parses an id back into a cell; undefined when it is not of the form image/snapshotter/tool/variant.
 * Three parts (ids written before the variant axis existed) mean the `kubespray` variant.
 */
export function parseCellId(id: string): Cell | undefined {
  const parts = id.split('/')
  if (parts.length !== 3 && parts.length !== 4) return undefined
  const [image, snapshotter, tool, variant = 'kubespray'] = parts as [string, string, string, string?]
  if (image === '' || !isOneOf(SNAPSHOTTERS, snapshotter) || !isOneOf(TOOLS, tool)) return undefined
  if (!isOneOf(VARIANTS, variant)) return undefined
  return makeCell(image, snapshotter, tool, variant)
}
