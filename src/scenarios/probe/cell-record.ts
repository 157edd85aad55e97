import { mkdirSync, writeFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import { shellLine } from '../../exec/command.js'
import { sourceText, type CellConfig } from './cell-config.js'

/**
 * The cell's configuration as it reached the node, kept next to its other logs: the files as
 * rendered (`rendered/…`), the overlays and their diff, the pull as evaluated and as run.
 */
export function writeRecord(dir: string, config: CellConfig): string[] {
  const paths: string[] = []
  for (const file of config.record.rendered) {
    const path = join(dir, 'rendered', file.path)
    mkdirSync(posix.dirname(path), { recursive: true })
    writeFileSync(path, file.content)
    paths.push(path)
  }
  const overlays = config.record.overlays.map(o => `# ${o.target}: ${o.why}`).join('\n')
  const diff = join(dir, 'overlays.diff')
  writeFileSync(
    diff,
    `# ${sourceText(config.source)}\n${overlays === '' ? '# no overlays' : overlays}\n${config.record.diff}`
  )
  const pull = join(dir, 'pull.txt')
  writeFileSync(pull, `evaluated: ${config.record.evaluatedPull}\nrun:       ${shellLine(config.pull)}\n`)
  return [...paths, diff, pull]
}
