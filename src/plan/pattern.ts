import type { Cell } from './cell.js'

/**
 * A cell pattern as written in include/exclude: `image/snapshotter/tool/variant`, each part a glob where
 * `*` matches any run of characters. Missing trailing parts match everything (`debian-11` =
 * `debian-11/*\/*\/*`).
 */
export interface CellPattern {
  readonly text: string
  readonly parts: readonly [RegExp, RegExp, RegExp, RegExp]
}

const PART = /^[A-Za-z0-9._*-]+$/

/** Returns the pattern, or a sentence saying what is wrong with it. */
export function parseCellPattern(text: string): CellPattern | string {
  const raw = text.split('/')
  if (raw.length > 4) return 'has more than four parts (image/snapshotter/tool/variant)'
  const bad = raw.find(p => !PART.test(p))
  if (bad !== undefined) {
    return bad === ''
      ? 'has an empty part'
      : `part "${bad}" may only hold letters, digits, ".", "_", "-" and "*"`
  }
  const globs = [...raw, '*', '*', '*'].slice(0, 4).map(globToRegExp) as [RegExp, RegExp, RegExp, RegExp]
  return { text, parts: globs }
}

export function matchesCell(pattern: CellPattern, cell: Cell): boolean {
  const [image, snapshotter, tool, variant] = pattern.parts
  return (
    image.test(cell.image) &&
    snapshotter.test(cell.snapshotter) &&
    tool.test(cell.tool) &&
    variant.test(cell.variant)
  )
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map(s => s.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${body}$`)
}
