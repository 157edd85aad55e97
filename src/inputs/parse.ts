import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { isSshOption, parseHostArg } from '../doctor/doctor-target.js'
import type { DoctorNodes } from '../doctor/resolve-targets.js'
import { IMAGES, IMAGE_NAMES, findImage, type ImageSpec } from '../images/catalogue.js'
import { ANSIBLE_SOURCES } from '../kubespray/ansible.js'
import { CELL_VARIABLES } from '../kubespray/cell-vars.js'
import { SNAPSHOTTERS, TIERS, TOOLS, VARIANTS, tierIndex, type Tier } from '../plan/axes.js'
import { parseCellPattern, matchesCell, type CellPattern } from '../plan/pattern.js'
import { expandAxes, filterCells } from '../plan/plan.js'
import { MAX_SHARDS, selectShard, type Shard } from '../plan/shard.js'
import { readResultsFile } from '../results/results-store.js'
import {
  COMMENT_MODES,
  FAIL_ON,
  MODES,
  RUNNER_SETUP,
  GUEST_NETWORK,
  PROBE_BINARIES,
  TRACKING_ISSUE,
  UPLOAD_RESULTS,
  type Config,
  type Mode
} from './config.js'
import { InputErrors, problem, shown, type InputProblem } from './errors.js'
import { INPUTS, type InputName, type RawInputs } from './spec.js'
import {
  bad,
  duplicates,
  ok,
  parseBoolean,
  parseChoice,
  parseChoiceList,
  parseDuration,
  parseGitRef,
  parseInteger,
  splitList,
  type Parsed
} from './values.js'
import { errorMessage } from '../text/error-message.js'

const SIX_HOURS_MS = 6 * 3_600_000
const MAX_TITLE = 100

export interface ParseContext {
  /** Relative paths are resolved against this (the workspace in Actions, the cwd in the CLI). */
  readonly cwd: string
  /** The default image cache lives under it. */
  readonly home?: string
}

/**
 * Validates every input before anything starts. Collects all problems and throws them together as
 * InputErrors; returns a Config only when there are none.
 */
export function parseConfig(raw: RawInputs, ctx: ParseContext): Config {
  const problems: InputProblem[] = []
  const text = (name: InputName): string => {
    const given = raw[name]?.trim() ?? ''
    return given !== '' ? given : INPUTS.find(i => i.name === name)!.default
  }
  const take = <T>(parsed: Parsed<T>): T | undefined => {
    if (parsed.ok) return parsed.value
    problems.push(...parsed.problems)
    return undefined
  }
  const optional = <T>(name: InputName, parse: (t: string) => Parsed<T>): T | null =>
    text(name) === '' ? null : (take(parse(text(name))) ?? null)

  const mode = take(parseChoice('mode', text('mode'), MODES))
  const logs = take(parseLogs(text('logs'), ctx.cwd))!
  const doctor = take(parseDoctorNodes(text, ctx))
  const images = take(parseImages(text('images')))
  const snapshotters = take(parseChoiceList('snapshotters', text('snapshotters'), SNAPSHOTTERS))
  const tools = take(parseChoiceList('tools', text('tools'), TOOLS))
  const variants = take(parseChoiceList('variants', text('variants'), VARIANTS))
  const tiers = take(parseTiers(text('tiers')))
  const include = take(parsePatterns('include', text('include')))
  const exclude = take(parsePatterns('exclude', text('exclude')))
  const shard = optional('shard', t => parseShard(t))
  const shards = optional('shards', t => parseInteger('shards', t, 1, MAX_SHARDS))
  const cellTimeoutMs = take(parseDuration('cell-timeout', text('cell-timeout'), SIX_HOURS_MS))
  const retries = take(parseInteger('retries', text('retries'), 0, 5))
  const commentMode = take(parseChoice('comment-mode', text('comment-mode'), COMMENT_MODES))
  const failOn = take(parseChoice('fail-on', text('fail-on'), FAIL_ON))
  const failOnEmpty = take(parseBoolean('fail-on-empty', text('fail-on-empty')))
  const title = take(parseTitle(text('title')))
  const kubesprayPath = optional('kubespray-path', t =>
    existingDirectory('kubespray-path', resolve(ctx.cwd, t), t)
  )
  const kubesprayRef = optional('kubespray-ref', t => parseGitRef('kubespray-ref', t))
  const kubesprayVars = optional('kubespray-vars', t => parseKubesprayVars(resolve(ctx.cwd, t), t)) ?? {}
  const ansible = take(parseChoice('ansible', text('ansible'), ANSIBLE_SOURCES))
  const probeBinaries = take(parseChoice('probe-binaries', text('probe-binaries'), PROBE_BINARIES))
  const guestNetwork = take(parseChoice('guest-network', text('guest-network'), GUEST_NETWORK))
  const baseline = optional('baseline', t => parseBaseline(resolve(ctx.cwd, t), t))
  const writeBaseline = optional('write-baseline', t =>
    writableFile('write-baseline', resolve(ctx.cwd, t), t)
  )
  const outputDir = take(
    outputDirectory('output-dir', resolve(ctx.cwd, text('output-dir')), text('output-dir'))
  )
  const githubToken = raw['github-token']?.trim() || null
  if (githubToken !== null && /[\r\n]/.test(githubToken)) {
    // Never shown: the value is a secret, and a line break is how a second value hides in it.
    problems.push(problem('github-token', 'holds a line break; a token is one line (its value is not shown)'))
  }
  const mirror = take(parseMirror(text('mirror')))
  const imageCache = take(
    outputDirectory(
      'image-cache',
      resolve(
        ctx.cwd,
        text('image-cache') || join(ctx.home ?? homedir(), '.cache', 'zfs-join-matrix', 'images')
      ),
      text('image-cache')
    )
  )
  const runnerSetup = take(parseChoice('runner-setup', text('runner-setup'), RUNNER_SETUP))
  const checkRun = take(parseBoolean('check-run', text('check-run')))
  const trackingIssue = take(parseChoice('tracking-issue', text('tracking-issue'), TRACKING_ISSUE))
  const issueLabel = take(parseLabel(text('issue-label')))
  const issueHistory = take(parseInteger('issue-history', text('issue-history'), 1, 50))
  const closeIssue = take(parseBoolean('close-issue', text('close-issue')))
  const uploadResults = take(parseChoice('upload-results', text('upload-results'), UPLOAD_RESULTS))
  const artifactName = take(parseArtifactPrefix(text('artifact-name')))
  const resultsRunId = optional('results-run-id', t =>
    parseInteger('results-run-id', t, 1, Number.MAX_SAFE_INTEGER)
  )

  if (mode !== undefined) {
    if (
      shard !== null &&
      (mode === 'plan' || mode === 'report' || mode === 'images' || mode === 'diagnose' || mode === 'doctor')
    ) {
      problems.push(problem('shard', `is for mode run or all; mode is ${shown(mode)}`))
    }
    if (mode === 'diagnose' && logs.length === 0) {
      problems.push(problem('logs', 'is empty; mode diagnose reads the logs it names (paths or globs)'))
    }
    if (mode !== 'diagnose' && logs.length > 0) {
      problems.push(problem('logs', `is for mode diagnose; mode is ${shown(mode)}`))
    }
    if (doctor !== undefined) problems.push(...doctorModeProblems(mode, doctor))
    if (resultsRunId !== null && mode !== 'report') {
      problems.push(problem('results-run-id', `is for mode report; mode is ${shown(mode)}`))
    }
    if (shards !== null && mode !== 'plan') {
      problems.push(problem('shards', `is for mode plan; mode is ${shown(mode)} (use shard: i/n there)`))
    }
  }

  // Patterns and shard counts can only be judged against the cells the valid axes produce.
  if (images && snapshotters && tools && variants && include && exclude) {
    const all = expandAxes({ images, snapshotters, tools, variants })
    problems.push(...patternsMatchingNothing('include', include, all))
    problems.push(...patternsMatchingNothing('exclude', exclude, all))
    const planned = filterCells(all, include, exclude)
    if (planned.length === 0 && (include.length > 0 || exclude.length > 0)) {
      problems.push(problem('exclude', 'leaves no cell to test: every planned cell is excluded'))
    }
    if (shard !== null && shard.count > planned.length) {
      problems.push(
        problem(
          'shard',
          `${shown(`${shard.index}/${shard.count}`)} splits ${planned.length} cells into more shards than cells`
        )
      )
    } else if (shard !== null && selectShard(planned, shard).length === 0) {
      problems.push(problem('shard', `${shown(`${shard.index}/${shard.count}`)} has no cells`))
    }
    if (shards !== null && shards > planned.length) {
      problems.push(problem('shards', `${shards} is more than the ${planned.length} planned cells`))
    }
  }

  if (problems.length > 0) throw new InputErrors(problems)
  return {
    mode: mode!,
    title: title!,
    logs,
    doctor: doctor!,
    axes: { images: images!, snapshotters: snapshotters!, tools: tools!, variants: variants! },
    tiers: tiers!,
    include: include!,
    exclude: exclude!,
    kubesprayPath,
    kubesprayRef,
    kubesprayVars,
    ansible: ansible!,
    probeBinaries: probeBinaries!,
    guestNetwork: guestNetwork!,
    baseline,
    writeBaseline,
    failOn: failOn!,
    failOnEmpty: failOnEmpty!,
    shard,
    shards,
    mirror: mirror!,
    imageCache: imageCache!,
    runnerSetup: runnerSetup!,
    cellTimeoutMs: cellTimeoutMs!,
    retries: retries!,
    commentMode: commentMode!,
    githubToken,
    checkRun: checkRun!,
    trackingIssue: trackingIssue!,
    issueLabel: issueLabel!,
    issueHistory: issueHistory!,
    closeIssue: closeIssue!,
    uploadResults: uploadResults!,
    artifactName: artifactName!,
    resultsRunId,
    outputDir: outputDir!
  }
}

/** Paths and globs, resolved against the workspace; expanded by the diagnose mode, which reads them. */
function parseLogs(text: string, cwd: string): Parsed<string[]> {
  const items = text
    .split(/[,\n]/)
    .map(s => s.trim())
    .filter(s => s !== '')
  if (items.includes('-')) {
    return bad(problem('logs', '- (standard input) is for the CLI; the action reads files: name them'))
  }
  return { ok: true, value: items.map(i => resolve(cwd, i)) }
}

/** mode doctor's nodes: each host checked, the inventory and key must exist, options must be Name=value. */
function parseDoctorNodes(text: (name: InputName) => string, ctx: ParseContext): Parsed<DoctorNodes> {
  const problems: InputProblem[] = []
  const hosts = splitList(text('hosts'))
  for (const h of hosts) {
    const t = parseHostArg(h)
    if (typeof t === 'string') problems.push(problem('hosts', t))
  }
  problems.push(...duplicates('hosts', hosts))
  const file = (name: 'inventory' | 'ssh-identity'): string | undefined => {
    const given = text(name)
    if (given === '') return undefined
    // A key is usually written under ~/.ssh; the runner does not expand `~` in inputs, so this does.
    const path = resolve(ctx.cwd, given.replace(/^~(?=\/)/, ctx.home ?? homedir()))
    if (!existsSync(path))
      problems.push(problem(name, `${shown(given)} does not exist (resolved to ${path})`))
    return path
  }
  const inventory = file('inventory')
  const identity = file('ssh-identity')
  const sshOptions = text('ssh-options')
    .split('\n')
    .map(o => o.trim())
    .filter(o => o !== '')
  for (const o of sshOptions) {
    if (!isSshOption(o)) problems.push(problem('ssh-options', `${shown(o)} is not Name=value`))
  }
  if (problems.length > 0) return bad(...problems)
  return ok({
    hosts,
    ...(inventory === undefined ? {} : { inventory }),
    ...(identity === undefined ? {} : { identity }),
    sshOptions
  })
}

function doctorModeProblems(mode: Mode, d: DoctorNodes): InputProblem[] {
  if (mode !== 'doctor') {
    const given = [
      ['hosts', d.hosts.length > 0],
      ['inventory', d.inventory !== undefined],
      ['ssh-identity', d.identity !== undefined],
      ['ssh-options', d.sshOptions.length > 0]
    ] as const
    return given
      .filter(([, g]) => g)
      .map(([name]) => problem(name, `is for mode doctor; mode is ${shown(mode)}`))
  }
  if (d.hosts.length > 0 && d.inventory !== undefined)
    return [problem('inventory', 'is given with hosts: give the nodes one way, hosts or inventory')]
  if (d.hosts.length === 0 && d.inventory === undefined)
    return [
      problem('hosts', 'is empty, and so is inventory; mode doctor inspects the nodes one of them names')
    ]
  return []
}

function parseImages(text: string): Parsed<ImageSpec[]> {
  const names = splitList(text)
  if (names.length === 0)
    return bad(problem('images', `is empty; list one or more of ${IMAGE_NAMES.join(', ')}`))
  const problems = names
    .filter(n => findImage(n) === undefined)
    .map(n => problem('images', `${shown(n)} is not one of ${IMAGE_NAMES.join(', ')}`))
  problems.push(...duplicates('images', names))
  if (problems.length > 0) return bad(...problems)
  // Keep the catalogue's order so rows read oldest OpenZFS first whatever order the user wrote.
  return ok(IMAGES.filter(i => names.includes(i.name)))
}

function parseTiers(text: string): Parsed<Tier[]> {
  const parsed = parseChoiceList('tiers', text, TIERS)
  if (!parsed.ok) return parsed
  const tiers = [...parsed.value].sort((a, b) => tierIndex(a) - tierIndex(b))
  if (tiers.includes('rejoin') && !tiers.includes('join')) {
    return bad(problem('tiers', '"rejoin" needs "join": it reruns a join that failed'))
  }
  return ok(tiers)
}

function parsePatterns(input: 'include' | 'exclude', text: string): Parsed<CellPattern[]> {
  const items = splitList(text)
  const problems: InputProblem[] = []
  const patterns: CellPattern[] = []
  for (const item of items) {
    const p = parseCellPattern(item)
    if (typeof p === 'string') problems.push(problem(input, `${shown(item)} ${p}`))
    else patterns.push(p)
  }
  problems.push(...duplicates(input, items))
  return problems.length > 0 ? bad(...problems) : ok(patterns)
}

function patternsMatchingNothing(
  input: string,
  patterns: readonly CellPattern[],
  cells: ReturnType<typeof expandAxes>
) {
  return patterns
    .filter(p => !cells.some(c => matchesCell(p, c)))
    .map(p =>
      problem(
        input,
        `${shown(p.text)} matches no cell of the planned axes (cells look like ${cells[0]?.id ?? 'image/snapshotter/tool/variant'})`
      )
    )
}

function parseShard(text: string): Parsed<Shard> {
  const m = /^(\d+)\/(\d+)$/.exec(text)
  const form = `${shown(text)} is not of the form i/n (1 <= i <= n <= ${MAX_SHARDS}), e.g. 2/4`
  if (m === null) return bad(problem('shard', form))
  const index = Number(m[1])
  const count = Number(m[2])
  if (index < 1 || count < 1 || index > count || count > MAX_SHARDS) return bad(problem('shard', form))
  return ok({ index, count })
}

function parseTitle(text: string): Parsed<string> {
  if (/[\r\n]/.test(text)) return bad(problem('title', 'must be a single line'))
  if (text.length > MAX_TITLE)
    return bad(problem('title', `is ${text.length} characters; at most ${MAX_TITLE}`))
  return ok(text)
}

/** GitHub's label names: at most 50 characters, no commas (the issues API lists labels comma-separated). */
function parseLabel(text: string): Parsed<string> {
  if (text.length > 50) return bad(problem('issue-label', `${shown(text)} is longer than 50 characters`))
  if (/[,\r\n]/.test(text))
    return bad(problem('issue-label', `${shown(text)} may not contain commas or line breaks`))
  return ok(text)
}

/**
 * What @actions/artifact accepts in a name, leaving room for the `-shard-i-of-n-attempt-k` suffix
 * (GitHub takes names up to 256 characters).
 */
function parseArtifactPrefix(text: string): Parsed<string> {
  const input = 'artifact-name'
  if (text.length > 180) return bad(problem(input, `${shown(text)} is longer than 180 characters`))
  if (/["*:<>?|\\/\r\n]/.test(text)) {
    return bad(problem(input, `${shown(text)} may not contain any of " : < > | * ? \\ / or line breaks`))
  }
  return ok(text)
}

/** The kernel's own filesystems: nothing is kept there, and Node's recursive mkdir loops under /proc. */
const KERNEL_FILESYSTEMS = ['/proc', '/sys', '/dev']

/**
 * Why a path input cannot be used at all, judged before anything is created: under a kernel filesystem
 * (its nearest existing ancestor resolved, so a symlink into one is caught too), or, for a path the run
 * writes, an ancestor it cannot write in.
 */
function pathProblem(
  input: InputName,
  path: string,
  given: string,
  writes: boolean
): InputProblem | undefined {
  const ancestor = nearestExisting(path)
  let real = ancestor
  try {
    real = realpathSync(ancestor)
  } catch {
    // Unresolvable: the checks below name it.
  }
  const candidate = ancestor === path ? real : join(real, relative(ancestor, path))
  const kernel = KERNEL_FILESYSTEMS.find(k => candidate === k || candidate.startsWith(`${k}/`))
  if (kernel !== undefined)
    return problem(
      input,
      `${shown(given)} is under ${kernel}, a kernel filesystem (resolved to ${candidate}); name a directory on disk`
    )
  if (!writes) return undefined
  const target = existsSync(path) ? path : ancestor
  try {
    accessSync(target, constants.W_OK)
  } catch {
    return problem(input, `${shown(given)} cannot be written: ${target} is not writable by this user`)
  }
  return undefined
}

function existingDirectory(input: InputName, path: string, given: string): Parsed<string> {
  const unusable = pathProblem(input, path, given, false)
  if (unusable !== undefined) return bad(unusable)
  if (!existsSync(path)) return bad(problem(input, `${shown(given)} does not exist (resolved to ${path})`))
  if (!statSync(path).isDirectory()) return bad(problem(input, `${shown(given)} is not a directory`))
  return ok(path)
}

/** A YAML mapping of group vars, without the variables each cell sets itself. */
function parseKubesprayVars(path: string, given: string): Parsed<Record<string, unknown>> {
  const unusable = pathProblem('kubespray-vars', path, given, false)
  if (unusable !== undefined) return bad(unusable)
  if (!existsSync(path)) {
    return bad(problem('kubespray-vars', `${shown(given)} does not exist (resolved to ${path})`))
  }
  let document: unknown
  try {
    document = parseYaml(readFileSync(path, 'utf8'))
  } catch (e) {
    return bad(problem('kubespray-vars', `${shown(given)} is not YAML: ${errorMessage(e).split('\n')[0]}`))
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    return bad(problem('kubespray-vars', `${shown(given)} must be a YAML mapping of variable: value`))
  }
  const reserved = Object.keys(document).filter(k => (CELL_VARIABLES as readonly string[]).includes(k))
  if (reserved.length > 0) {
    return bad(
      problem(
        'kubespray-vars',
        `${shown(given)} sets ${reserved.join(', ')}, which each cell sets itself (snapshotters, tools and variants are the matrix's axes)`
      )
    )
  }
  return ok(document as Record<string, unknown>)
}

function parseBaseline(
  path: string,
  given: string
): Parsed<{ path: string; document: ReturnType<typeof readResultsFile> }> {
  const unusable = pathProblem('baseline', path, given, false)
  if (unusable !== undefined) return bad(unusable)
  if (!existsSync(path)) {
    return bad(
      problem(
        'baseline',
        `${shown(given)} does not exist (resolved to ${path}); create one with write-baseline`
      )
    )
  }
  try {
    return ok({ path, document: readResultsFile(path) })
  } catch (e) {
    return bad(problem('baseline', `${shown(given)} is not a results.json: ${errorMessage(e)}`))
  }
}

function writableFile(input: InputName, path: string, given: string): Parsed<string> {
  const unusable = pathProblem(input, path, given, true)
  if (unusable !== undefined) return bad(unusable)
  if (existsSync(path) && statSync(path).isDirectory())
    return bad(problem(input, `${shown(given)} is a directory`))
  const parent = nearestExisting(dirname(path))
  if (!statSync(parent).isDirectory())
    return bad(problem(input, `${shown(given)}: ${parent} is not a directory`))
  return ok(path)
}

function outputDirectory(input: InputName, path: string, given: string): Parsed<string> {
  const unusable = pathProblem(input, path, given, true)
  if (unusable !== undefined) return bad(unusable)
  if (existsSync(path) && !statSync(path).isDirectory()) {
    return bad(problem(input, `${shown(given)} exists and is not a directory`))
  }
  const parent = nearestExisting(path)
  if (!statSync(parent).isDirectory())
    return bad(problem(input, `${shown(given)}: ${parent} is not a directory`))
  return ok(path)
}

/** An http(s) URL of a Debian mirror (what debootstrap and apt take). */
function parseMirror(text: string): Parsed<string> {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return bad(problem('mirror', `${shown(text)} is not a URL; expected e.g. http://deb.debian.org/debian`))
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return bad(problem('mirror', `${shown(text)} must be an http:// or https:// URL`))
  }
  if (url.search !== '' || url.hash !== '' || /\s/.test(text)) {
    return bad(problem('mirror', `${shown(text)} must be a plain mirror URL (no query, fragment or spaces)`))
  }
  return ok(text.replace(/\/+$/, ''))
}

function nearestExisting(path: string): string {
  let p = path
  while (!existsSync(p)) p = dirname(p)
  return p
}
