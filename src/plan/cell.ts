import { SNAPSHOTTERS, TOOLS, isOneOf, type Snapshotter, type Tool } from './axes.js'

/** One point of the axes. Its id (`debian-12/zfs/nerdctl`) is stable across runs: baselines key on it. */
export interface Cell {
  readonly id: string
  readonly image: string
  readonly snapshotter: Snapshotter
  readonly tool: Tool
}

export function makeCell(image: string, snapshotter: Snapshotter, tool: Tool): Cell {
  return { id: `${image}/${snapshotter}/${tool}`, image, snapshotter, tool }
}

/** Parses an id back into a cell; undefined when it is not of the form image/snapshotter/tool. */
export function parseCellId(id: string): Cell | undefined {
  const parts = id.split('/')
  if (parts.length !== 3) return undefined
  const [image, snapshotter, tool] = parts as [string, string, string]
  if (image === '' || !isOneOf(SNAPSHOTTERS, snapshotter) || !isOneOf(TOOLS, tool)) return undefined
  return makeCell(image, snapshotter, tool)
}
