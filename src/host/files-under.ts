import { readdirSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Every regular file below `dir`, depth first, each directory's entries in name order, so walks that
 * take "the first match" are the same on every run. Symlinks are not followed.
 */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap(e => {
      const path = join(dir, e.name)
      if (e.isDirectory()) return filesUnder(path)
      return e.isFile() ? [path] : []
    })
}
