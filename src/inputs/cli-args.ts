import { isOneOf } from '../plan/axes.js'
import { problem, shown, type InputProblem } from './errors.js'
import { INPUTS, INPUT_NAMES, type InputName, type RawInputs } from './spec.js'

export const COMMANDS = ['plan', 'run', 'report', 'images'] as const
export type Command = (typeof COMMANDS)[number]

export type CliRequest =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'command'; readonly command: Command; readonly inputs: RawInputs }
  | { readonly kind: 'invalid'; readonly problems: readonly InputProblem[] }

/** `mode` comes from the command; `github-token` from the environment, so it never sits in shell history. */
const NOT_FLAGS: readonly InputName[] = ['mode', 'github-token']
const FLAGS = INPUT_NAMES.filter(n => !NOT_FLAGS.includes(n))

/**
 * Maps `zfs-join-matrix <command> --input value …` onto the same raw inputs the action reads, so both
 * go through one parser. Flags are the action's input names; `--name=value` works too.
 */
export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliRequest {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help')
    return { kind: 'help' }
  if (argv.includes('--version')) return { kind: 'version' }
  const [first, ...rest] = argv as [string, ...string[]]
  const problems: InputProblem[] = []
  if (!isOneOf(COMMANDS, first)) {
    return {
      kind: 'invalid',
      problems: [
        problem('command', `${shown(first)} is not one of ${[...COMMANDS, 'diagnose', 'doctor'].join(', ')}`)
      ]
    }
  }
  const inputs: RawInputs = {}
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg)
    if (m === null) {
      problems.push(
        problem(
          'arguments',
          `${shown(arg)} is not a --flag; flags are ${FLAGS.map(f => `--${f}`).join(', ')}`
        )
      )
      continue
    }
    const name = m[1]!
    if (!isOneOf(FLAGS, name)) {
      const near = closest(name, FLAGS)
      const hint =
        near === undefined ? `flags are ${FLAGS.map(f => `--${f}`).join(', ')}` : `did you mean --${near}?`
      problems.push(problem(`--${name}`, `is not a flag; ${hint}`))
      if (m[2] === undefined && rest[i + 1] !== undefined && !rest[i + 1]!.startsWith('--')) i++
      continue
    }
    const value = m[2] ?? rest[++i]
    if (value === undefined) {
      problems.push(problem(name, 'needs a value'))
      continue
    }
    if (inputs[name] !== undefined) problems.push(problem(name, 'is given more than once'))
    inputs[name] = value
  }
  if (problems.length > 0) return { kind: 'invalid', problems }
  return {
    kind: 'command',
    command: first,
    inputs: {
      ...inputs,
      mode: first === 'run' ? (inputs.shard ? 'run' : 'all') : first,
      'github-token': env.GITHUB_TOKEN ?? ''
    }
  }
}

/** The flag a typo most likely meant: within two edits, else none. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  const scored = candidates.map(c => ({ c, d: editDistance(name, c) })).sort((a, b) => a.d - b.d)
  return scored[0] !== undefined && scored[0].d <= 2 ? scored[0].c : undefined
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    row = next
  }
  return row[b.length]!
}

export function helpText(): string {
  const width = Math.max(...FLAGS.map(f => f.length)) + 4
  const flags = INPUTS.filter(i => FLAGS.includes(i.name)).map(
    i => `  --${i.name.padEnd(width - 2)}${i.description}${i.default ? ` [default: ${i.default}]` : ''}`
  )
  return [
    'Usage: zfs-join-matrix <plan|run|report|images> [--flag value]...',
    '       zfs-join-matrix diagnose [--format text|json|markdown] FILE... | -',
    '       zfs-join-matrix doctor [options] HOST... | --inventory FILE',
    '',
    'Tests kubespray joins of nodes whose containerd state is on ZFS, for every',
    'snapshotter x image tool x kernel/OpenZFS image, and reports a pass/fail matrix.',
    '',
    'Commands:',
    '  plan     print the cells as JSON for strategy.matrix (and write plan.json)',
    '  run      run the cells and write results.jsonl, results.json, report.md, junit.xml',
    '  report   merge the results found under --output-dir and report them',
    '  images   build (or take from --image-cache) the node images and boot each once',
    "  diagnose name the known failures in a cluster's own logs (see diagnose --help)",
    '  doctor   inspect live nodes read-only over ssh and predict what a join hits (see doctor --help)',
    '',
    "Flags (the action's inputs):",
    ...flags,
    '',
    'GITHUB_TOKEN in the environment is used for posting; it is never printed.',
    'Exit status: 0 success, 1 the gate failed (see --fail-on) or the run broke, 2 invalid input.'
  ].join('\n')
}
