import { readTreeLines, type TreeLine } from '../kubespray/tree-lines.js'

/** A place in the kubespray checkout (the repository the check run belongs to). */
export interface SourceLocation {
  readonly path: string
  /** 1-based. */
  readonly line: number
}

/** Where the kubespray variables a fix sets are defined, or null when none of them can be found. */
export type LocateVariables = (variables: readonly string[]) => SourceLocation | null

/** Directories of a kubespray checkout where variables are defined or used; nothing else is read. */
const SEARCHED = ['roles', 'inventory/sample/group_vars']

/**
 * Finds where kubespray variables live in a checkout, for annotations on failed cells: the first
 * variable of the list that is defined (`name:` at the start of a line, as in defaults and
 * group_vars), else the first place a template uses it (`nerdctl_snapshotter` has no default, only a
 * `default()` in nerdctl.toml.j2). Reads the tree once; null for a variable found nowhere.
 */
export function variableLocator(kubesprayPath: string | null): LocateVariables {
  if (kubesprayPath === null) return () => null
  let lines: readonly TreeLine[] | undefined
  const all = () => (lines ??= readTreeLines(kubesprayPath, SEARCHED))
  const cache = new Map<string, SourceLocation | null>()
  const find = (variable: string): SourceLocation | null => {
    if (!cache.has(variable)) {
      const definition = new RegExp(`^${variable}\\s*:`)
      const use = new RegExp(`\\b${variable}\\b`)
      const hit = all().find(l => definition.test(l.text)) ?? all().find(l => use.test(l.text))
      cache.set(variable, hit === undefined ? null : { path: hit.path, line: hit.line })
    }
    return cache.get(variable) ?? null
  }
  return variables => {
    for (const v of variables) {
      const at = find(v)
      if (at !== null) return at
    }
    return null
  }
}
