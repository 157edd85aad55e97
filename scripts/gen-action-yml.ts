/**
 * Writes action.yml's inputs and outputs from src/inputs/spec.ts (`npm run gen:action`), keeping the
 * header and `runs:` as they are. A test fails when the two disagree.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { INPUTS, OUTPUTS } from '../src/inputs/spec.js'

const path = join(import.meta.dirname, '..', 'action.yml')
const current = readFileSync(path, 'utf8')
const head = current.slice(0, current.indexOf('inputs:'))
const runs = current.slice(current.indexOf('\nruns:') + 1)
const quote = (s: string) => `'${s.replace(/'/g, "''")}'`
const lines = ['inputs:']
for (const input of INPUTS) {
  const fallback = 'actionDefault' in input ? input.actionDefault : input.default
  lines.push(
    `  ${input.name}:`,
    `    description: ${quote(input.description)}`,
    '    required: false',
    `    default: ${quote(fallback)}`
  )
}
lines.push('', 'outputs:')
for (const output of OUTPUTS) lines.push(`  ${output.name}:`, `    description: ${quote(output.description)}`)
writeFileSync(path, `${head}${lines.join('\n')}\n\n${runs}`)
