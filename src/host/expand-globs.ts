import { existsSync, statSync } from 'node:fs'
import { dirname, sep } from 'node:path'
import { filesUnder } from './files-under.js'

const GLOB_CHARS = /[*?[]/

/** A glob that names no file; its message names the glob, the caller names the input. */
export class GlobMatchError extends Error {}

/**
 * Absolute paths and globs (`*` and `?` within a name, `**` across directories, `[abc]`) to the files
 * they name, in order, each once. A plain path is kept as given (so a missing file is reported by its
 * reader, naming it); a glob that matches no file is an error naming the glob.
 */
export function expandGlobs(patterns: readonly string[]): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  const add = (path: string): void => {
    if (seen.has(path)) return
    seen.add(path)
    out.push(path)
  }
  for (const pattern of patterns) {
    if (!GLOB_CHARS.test(pattern)) {
      add(pattern)
      continue
    }
    const base = literalPrefix(pattern)
    const matcher = globRegExp(pattern)
    const found =
      existsSync(base) && statSync(base).isDirectory() ? filesUnder(base).filter(f => matcher.test(f)) : []
    if (found.length === 0) throw new GlobMatchError(`${JSON.stringify(pattern)} matches no file`)
    found.forEach(add)
  }
  return out
}

/** The directory above the first glob character: where the walk starts. */
function literalPrefix(pattern: string): string {
  const first = pattern.search(GLOB_CHARS)
  const head = pattern.slice(0, first)
  return head.endsWith(sep) ? head.slice(0, -1) || sep : dirname(head)
}

export function globRegExp(pattern: string): RegExp {
  let re = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` is any number of directories, none included.
      const slash = pattern[i + 2] === '/'
      re += slash ? '(?:[^/]*/)*' : '.*'
      i += slash ? 2 : 1
    } else if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1)
      if (end === -1) re += '\\['
      else {
        re += `[${pattern.slice(i + 1, end).replace(/\\/g, '\\\\')}]`
        i = end
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}
