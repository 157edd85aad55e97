import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { SNAPSHOTTERS, TOOLS, VARIANTS } from '../plan/axes.js'
import { expandAxes, filterCells } from '../plan/plan.js'
import { MAX_SHARDS, selectShard } from '../plan/shard.js'
import {
  ANSIBLE_SOURCES,
  COMMENT_MODES,
  FAIL_ON,
  GUEST_NETWORK,
  MODES,
  PROBE_BINARIES,
  RUNNER_SETUP,
  TRACKING_ISSUE,
  UPLOAD_RESULTS,
  type Config
} from './config.js'
import { InputErrors, problem, shown, type InputProblem } from './errors.js'
import { parseBaseline, parseKubesprayVars } from './input-files.js'
import {
  parseImages,
  parsePatterns,
  parseShard,
  parseTiers,
  patternsMatchingNothing
} from './matrix-inputs.js'
import { doctorModeProblems, parseDoctorNodes, parseLogs, type ParseContext } from './mode-inputs.js'
import { existingDirectory, outputDirectory, writableFile } from './path-inputs.js'
import { INPUTS, type InputName, type RawInputs } from './spec.js'
import { parseArtifactPrefix, parseLabel, parseMirror, parseTitle } from './text-inputs.js'
import {
  bad,
  ok,
  parseBoolean,
  parseChoice,
  parseChoiceList,
  parseDuration,
  parseGitRef,
  parseInteger,
  type Parsed
} from './values.js'

export type { ParseContext } from './mode-inputs.js'

const SIX_HOURS_MS = 6 * 3_600_000

/** Reads one input (its default when empty) and records its problems. */
interface InputReader {
  readonly text: (name: InputName) => string
  readonly take: <T>(parsed: Parsed<T>) => T | undefined
  /** Null when the input is empty (it has no default), else the parsed value. */
  readonly optional: <T>(name: InputName, parse: (text: string) => Parsed<T>) => T | null | undefined
  readonly ctx: ParseContext
  readonly raw: RawInputs
}

/**
 * Validates every input before anything starts. Collects all problems and throws them together as
 * InputErrors; returns a Config only when there are none. Each group of inputs has its parser below;
 * the checks across groups (an input meant for another mode, patterns that match no cell) come after.
 */
export function parseConfig(raw: RawInputs, ctx: ParseContext): Config {
  const problems: InputProblem[] = []
  const read = inputReader(raw, ctx, problems)
  const fields = {
    ...modeInputs(read),
    ...matrixInputs(read),
    ...kubesprayInputs(read),
    ...gateInputs(read),
    ...hostInputs(read)
  }
  problems.push(...modeProblems(fields), ...matrixProblems(fields))
  const all = complete(fields)
  if (problems.length > 0 || all === undefined) throw new InputErrors(problems)
  const { images, snapshotters, tools, variants, ...rest } = all
  return { ...rest, axes: { images, snapshotters, tools, variants } }
}

function inputReader(raw: RawInputs, ctx: ParseContext, problems: InputProblem[]): InputReader {
  const text = (name: InputName): string => {
    const given = raw[name]?.trim() ?? ''
    return given !== '' ? given : INPUTS.find(i => i.name === name)!.default
  }
  const take = <T>(parsed: Parsed<T>): T | undefined => {
    if (parsed.ok) return parsed.value
    problems.push(...parsed.problems)
    return undefined
  }
  const optional = <T>(name: InputName, parse: (t: string) => Parsed<T>): T | null | undefined =>
    text(name) === '' ? null : take(parse(text(name)))
  return { text, take, optional, ctx, raw }
}

/** What the mode reads: the logs of diagnose, the nodes of doctor. */
function modeInputs({ text, take, ctx }: InputReader) {
  return {
    mode: take(parseChoice('mode', text('mode'), MODES)),
    logs: take(parseLogs(text('logs'), ctx.cwd)),
    doctor: take(parseDoctorNodes(text, ctx))
  }
}

/** The matrix: its axes, tiers, patterns and shards. */
function matrixInputs({ text, take, optional }: InputReader) {
  return {
    images: take(parseImages(text('images'))),
    snapshotters: take(parseChoiceList('snapshotters', text('snapshotters'), SNAPSHOTTERS)),
    tools: take(parseChoiceList('tools', text('tools'), TOOLS)),
    variants: take(parseChoiceList('variants', text('variants'), VARIANTS)),
    tiers: take(parseTiers(text('tiers'))),
    include: take(parsePatterns('include', text('include'))),
    exclude: take(parsePatterns('exclude', text('exclude'))),
    shard: optional('shard', t => parseShard(t)),
    shards: optional('shards', t => parseInteger('shards', t, 1, MAX_SHARDS))
  }
}

/** The checkout under test and how its playbooks and binaries are run. */
function kubesprayInputs({ text, take, optional, ctx }: InputReader) {
  return {
    kubesprayPath: optional('kubespray-path', t =>
      existingDirectory('kubespray-path', resolve(ctx.cwd, t), t)
    ),
    kubesprayRef: optional('kubespray-ref', t => parseGitRef('kubespray-ref', t)),
    kubesprayVars: optional('kubespray-vars', t => parseKubesprayVars(resolve(ctx.cwd, t), t)) ?? {},
    ansible: take(parseChoice('ansible', text('ansible'), ANSIBLE_SOURCES)),
    probeBinaries: take(parseChoice('probe-binaries', text('probe-binaries'), PROBE_BINARIES)),
    guestNetwork: take(parseChoice('guest-network', text('guest-network'), GUEST_NETWORK))
  }
}

/** How the results are judged and posted. */
function gateInputs({ text, take, optional, ctx }: InputReader) {
  return {
    title: take(parseTitle(text('title'))),
    failOn: take(parseChoice('fail-on', text('fail-on'), FAIL_ON)),
    failOnEmpty: take(parseBoolean('fail-on-empty', text('fail-on-empty'))),
    baseline: optional('baseline', t => parseBaseline(resolve(ctx.cwd, t), t)),
    writeBaseline: optional('write-baseline', t => writableFile('write-baseline', resolve(ctx.cwd, t), t)),
    commentMode: take(parseChoice('comment-mode', text('comment-mode'), COMMENT_MODES)),
    checkRun: take(parseBoolean('check-run', text('check-run'))),
    trackingIssue: take(parseChoice('tracking-issue', text('tracking-issue'), TRACKING_ISSUE)),
    issueLabel: take(parseLabel(text('issue-label'))),
    issueHistory: take(parseInteger('issue-history', text('issue-history'), 1, 50)),
    closeIssue: take(parseBoolean('close-issue', text('close-issue')))
  }
}

/** Where the run keeps its files, builds its images, and how long and how often a cell may take. */
function hostInputs({ text, take, optional, ctx, raw }: InputReader) {
  const imageCache = text('image-cache') || join(ctx.home ?? homedir(), '.cache', 'zfs-join-matrix', 'images')
  return {
    outputDir: take(outputDirectory('output-dir', resolve(ctx.cwd, text('output-dir')), text('output-dir'))),
    imageCache: take(outputDirectory('image-cache', resolve(ctx.cwd, imageCache), text('image-cache'))),
    mirror: take(parseMirror(text('mirror'))),
    runnerSetup: take(parseChoice('runner-setup', text('runner-setup'), RUNNER_SETUP)),
    cellTimeoutMs: take(parseDuration('cell-timeout', text('cell-timeout'), SIX_HOURS_MS)),
    retries: take(parseInteger('retries', text('retries'), 0, 5)),
    githubToken: take(parseToken(raw['github-token'])),
    uploadResults: take(parseChoice('upload-results', text('upload-results'), UPLOAD_RESULTS)),
    artifactName: take(parseArtifactPrefix(text('artifact-name'))),
    resultsRunId: optional('results-run-id', t =>
      parseInteger('results-run-id', t, 1, Number.MAX_SAFE_INTEGER)
    )
  }
}

function parseToken(given: string | undefined): Parsed<string | null> {
  const token = given?.trim() || null
  // Never shown: the value is a secret, and a line break is how a second value hides in it.
  if (token !== null && /[\r\n]/.test(token))
    return bad(problem('github-token', 'holds a line break; a token is one line (its value is not shown)'))
  return ok(token)
}

type Fields = ReturnType<typeof modeInputs> &
  ReturnType<typeof matrixInputs> &
  ReturnType<typeof kubesprayInputs> &
  ReturnType<typeof gateInputs> &
  ReturnType<typeof hostInputs>

/** Inputs given for another mode than the one chosen. */
function modeProblems(f: Fields): InputProblem[] {
  const { mode, logs, doctor, shard, shards, resultsRunId } = f
  if (mode === undefined) return []
  const problems: InputProblem[] = []
  if (shard && ['plan', 'report', 'images', 'diagnose', 'doctor'].includes(mode)) {
    problems.push(problem('shard', `is for mode run or all; mode is ${shown(mode)}`))
  }
  if (logs !== undefined && mode === 'diagnose' && logs.length === 0) {
    problems.push(problem('logs', 'is empty; mode diagnose reads the logs it names (paths or globs)'))
  }
  if (logs !== undefined && mode !== 'diagnose' && logs.length > 0) {
    problems.push(problem('logs', `is for mode diagnose; mode is ${shown(mode)}`))
  }
  if (doctor !== undefined) problems.push(...doctorModeProblems(mode, doctor))
  if (resultsRunId && mode !== 'report') {
    problems.push(problem('results-run-id', `is for mode report; mode is ${shown(mode)}`))
  }
  if (shards && mode !== 'plan') {
    problems.push(problem('shards', `is for mode plan; mode is ${shown(mode)} (use shard: i/n there)`))
  }
  return problems
}

/** Patterns and shard counts can only be judged against the cells the valid axes produce. */
function matrixProblems(f: Fields): InputProblem[] {
  const { images, snapshotters, tools, variants, include, exclude, shard, shards } = f
  if (!images || !snapshotters || !tools || !variants || !include || !exclude) return []
  const all = expandAxes({ images, snapshotters, tools, variants })
  const problems = [
    ...patternsMatchingNothing('include', include, all),
    ...patternsMatchingNothing('exclude', exclude, all)
  ]
  const planned = filterCells(all, include, exclude)
  if (planned.length === 0 && (include.length > 0 || exclude.length > 0)) {
    problems.push(problem('exclude', 'leaves no cell to test: every planned cell is excluded'))
  }
  if (shard && shard.count > planned.length) {
    problems.push(
      problem(
        'shard',
        `${shown(`${shard.index}/${shard.count}`)} splits ${planned.length} cells into more shards than cells`
      )
    )
  } else if (shard && selectShard(planned, shard).length === 0) {
    problems.push(problem('shard', `${shown(`${shard.index}/${shard.count}`)} has no cells`))
  }
  if (shards && shards > planned.length) {
    problems.push(problem('shards', `${shards} is more than the ${planned.length} planned cells`))
  }
  return problems
}

/** Every field, once none is undefined (each undefined one came with its problem). */
function complete<T extends object>(fields: T): { [K in keyof T]: Exclude<T[K], undefined> } | undefined {
  return Object.values(fields).some(v => v === undefined)
    ? undefined
    : (fields as { [K in keyof T]: Exclude<T[K], undefined> })
}
