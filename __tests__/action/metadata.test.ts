import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import { INPUTS, OUTPUTS } from '../../src/inputs/spec.js'
import { GENERATOR } from '../../src/version.js'

const root = resolve(import.meta.dirname, '../..')
const read = (f: string) => readFileSync(join(root, f), 'utf8')

interface ActionYml {
  runs: { using: string; main: string; post: string; 'post-if': string }
  inputs: Record<string, { description: string; default: string }>
  outputs: Record<string, { description: string }>
}

describe('action.yml, the input spec, the README and package.json agree', () => {
  const action = parse(read('action.yml')) as ActionYml

  it('runs on node24 from dist with an always-run post step', () => {
    expect(action.runs).toEqual({
      using: 'node24',
      main: 'dist/index.js',
      post: 'dist/post/index.js',
      'post-if': 'always()'
    })
  })

  it('declares exactly the inputs of the spec, with the same defaults and descriptions', () => {
    expect(Object.keys(action.inputs)).toEqual(INPUTS.map(i => i.name))
    for (const spec of INPUTS) {
      const declared = action.inputs[spec.name]!
      expect(declared.description).toBe(spec.description)
      expect(declared.default).toBe('actionDefault' in spec ? spec.actionDefault : spec.default)
    }
  })

  it('declares exactly the outputs of the spec', () => {
    expect(Object.keys(action.outputs)).toEqual(OUTPUTS.map(o => o.name))
  })

  it('the README documents every input and output', () => {
    const readme = read('README.md')
    // A reference table row: `| \`name\` |`, however prettier pads the column.
    const rows = readme.split('\n').filter(l => l.startsWith('| `'))
    const documented = new Set(rows.map(l => /^\| `([a-z-]+)` +\|/.exec(l)?.[1]))
    for (const name of [...INPUTS.map(i => i.name), ...OUTPUTS.map(o => o.name)])
      expect(documented).toContain(name)
  })

  it('the version reported is the package version', () => {
    expect((JSON.parse(read('package.json')) as { version: string }).version).toBe(GENERATOR.version)
  })
})
