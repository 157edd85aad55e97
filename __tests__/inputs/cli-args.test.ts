import { describe, expect, it } from '@jest/globals'
import { helpText, parseCliArgs } from '../../src/inputs/cli-args.js'
import { INPUT_NAMES } from '../../src/inputs/spec.js'

describe('parseCliArgs', () => {
  it('maps flags onto the action inputs and the command onto mode', () => {
    expect(
      parseCliArgs(['run', '--images', 'debian-12', '--cell-timeout=5m'], { GITHUB_TOKEN: 't0k' })
    ).toEqual({
      kind: 'command',
      command: 'run',
      inputs: { images: 'debian-12', 'cell-timeout': '5m', mode: 'all', 'github-token': 't0k' }
    })
    expect(parseCliArgs(['run', '--shard', '1/2'], {})).toMatchObject({
      inputs: { mode: 'run', shard: '1/2' }
    })
    expect(parseCliArgs(['report'], {})).toMatchObject({ inputs: { mode: 'report' } })
    expect(parseCliArgs(['images', '--images', 'debian-13'], {})).toMatchObject({
      inputs: { mode: 'images', images: 'debian-13' }
    })
  })

  it('rejects unknown commands and flags, missing values and repeats, naming each', () => {
    expect(parseCliArgs(['deploy'], {})).toEqual({
      kind: 'invalid',
      problems: [
        { input: 'command', message: '"deploy" is not one of plan, run, report, images, diagnose, doctor' }
      ]
    })
    const r = parseCliArgs(
      ['plan', '--image', 'x', '--tools', 'a', '--tools', 'b', 'stray', '--frobnicate', '--retries'],
      {}
    )
    expect(r.kind === 'invalid' && r.problems.map(p => `${p.input}: ${p.message.slice(0, 40)}`)).toEqual([
      '--image: is not a flag; did you mean --images?',
      'tools: is given more than once',
      'arguments: "stray" is not a --flag; flags are --ima',
      '--frobnicate: is not a flag; flags are --images, --sna',
      'retries: needs a value'
    ])
  })

  it('never takes the token or the mode as flags', () => {
    expect(parseCliArgs(['run', '--github-token', 'secret'], {}).kind).toBe('invalid')
    expect(parseCliArgs(['run', '--mode', 'plan'], {}).kind).toBe('invalid')
  })

  it('help lists every flag', () => {
    expect(parseCliArgs(['--help'], {})).toEqual({ kind: 'help' })
    expect(parseCliArgs([], {})).toEqual({ kind: 'help' })
    const help = helpText()
    for (const name of INPUT_NAMES.filter(n => n !== 'mode' && n !== 'github-token'))
      expect(help).toContain(`--${name}`)
  })
})
