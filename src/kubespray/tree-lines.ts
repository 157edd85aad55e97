import { existsSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { filesUnder } from '../host/files-under.js'

/** One line of a file in a kubespray checkout. */
export interface TreeLine {
  /** Relative to the checkout. */
  readonly path: string
  /** 1-based. */
  readonly line: number
  readonly text: string
}

/** Only YAML and Jinja templates carry kubespray's variables; docs and scripts are never read. */
const TEXT_FILE = /\.(ya?ml|j2)$/

/**
 * Every line of the YAML and template files under `dirs` (relative to the checkout), in a stable
 * order (sorted walk), so "the first match" is the same on every run. Missing directories are skipped.
 */
export function readTreeLines(root: string, dirs: readonly string[]): TreeLine[] {
  return dirs
    .filter(dir => existsSync(join(root, dir)))
    .flatMap(dir => filesUnder(join(root, dir)))
    .filter(path => TEXT_FILE.test(path))
    .flatMap(path =>
      readFileSync(path, 'utf8')
        .split('\n')
        .map((text, i) => ({ path: relative(root, path), line: i + 1, text }))
    )
}
