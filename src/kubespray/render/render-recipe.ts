import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { readAllRoleTasks, readRoleTasks, type CheckoutTask } from './task-file.js'
import { errorMessage } from '../../text/error-message.js'

/** Which node file a checkout's task writes: the ones that decide the snapshotter each tool uses. */
export const NODE_FILE_KINDS = [
  'containerd-config',
  'containerd-file',
  'registry-hosts',
  'nerdctl',
  'crictl'
] as const
export type NodeFileKind = (typeof NODE_FILE_KINDS)[number]

/** A task the render runs as the checkout wrote it. */
export type RenderStep =
  | { readonly kind: 'fact'; readonly task: CheckoutTask }
  | {
      readonly kind: 'file'
      readonly task: CheckoutTask
      readonly file: NodeFileKind
      /** The role the task belongs to: a relative `src` is under its templates/ or files/. */
      readonly role: string
    }

/**
 * What the probe renders from a kubespray checkout, read from its own roles: whose defaults and vars
 * apply, the tasks that compute facts and write containerd's, nerdctl's and crictl's files, and the
 * pull as the download role runs it. Nothing here is evaluated: Ansible does that.
 */
export interface RenderRecipe {
  readonly root: string
  /** Roles whose defaults and vars Ansible loads, in load order (a later role's value wins). */
  readonly roles: readonly string[]
  /**
   * Read-only tasks (stat, and commands kubespray marks `check_mode: false` + `changed_when: false`,
   * such as `ctr oci spec`), run once on the node: their registered results reach every cell.
   */
  readonly queries: readonly CheckoutTask[]
  readonly steps: readonly RenderStep[]
  readonly pull: {
    /** set_facts of `image_pull_command` (v2.18 sets it in a task, later releases in defaults). */
    readonly facts: readonly CheckoutTask[]
    /** The download role's pull command line, e.g. `{{ … image_pull_command }} {{ image_reponame }}`. */
    readonly command: string
    readonly task: CheckoutTask
  }
  /** Tasks of the container-engine roles the render does not run (downloads, services, packages). */
  readonly notRun: readonly CheckoutTask[]
}

export type RecipeReading =
  | { readonly kind: 'recipe'; readonly recipe: RenderRecipe }
  | { readonly kind: 'unsupported'; readonly reason: string }

export const CONTAINERD_ROLE = 'container-engine/containerd'
const DEFAULTS_ROLES = ['kubespray_defaults', 'kubespray-defaults']
const DOWNLOAD_ROLE = 'download'

/** Reads the recipe from the checkout at `root`; `unsupported` names what it could not find. */
export function readRenderRecipe(root: string): RecipeReading {
  try {
    return readRecipe(root)
  } catch (e) {
    return { kind: 'unsupported', reason: `cannot read the checkout's roles: ${errorMessage(e)}` }
  }
}

function readRecipe(root: string): RecipeReading {
  if (!existsSync(join(root, 'roles', CONTAINERD_ROLE, 'tasks'))) {
    return { kind: 'unsupported', reason: `the checkout has no roles/${CONTAINERD_ROLE}/tasks` }
  }
  const engine = withDependencies(root, CONTAINERD_ROLE)
  const defaults = DEFAULTS_ROLES.filter(r => hasVariables(root, r)).slice(0, 1)
  const download = hasVariables(root, DOWNLOAD_ROLE) ? [DOWNLOAD_ROLE] : []
  const queries: CheckoutTask[] = []
  const steps: RenderStep[] = []
  const notRun: CheckoutTask[] = []
  for (const role of engine) {
    for (const task of readRoleTasks(root, role)) {
      const file = nodeFile(task)
      const option = file === null ? undefined : unrenderedOption(task)
      if (option !== undefined) {
        return {
          kind: 'unsupported',
          reason: `${task.path}:${task.line} renders with ${option}, which the probe's render does not apply`
        }
      }
      if (file !== null) steps.push({ kind: 'file', task, file, role })
      else if (task.module === 'set_fact') steps.push({ kind: 'fact', task })
      else if (isQuery(task)) queries.push(task)
      else notRun.push(task)
    }
  }
  if (!steps.some(s => s.kind === 'file' && s.file === 'containerd-config')) {
    return {
      kind: 'unsupported',
      reason: `no task of roles/${CONTAINERD_ROLE} writes containerd's config.toml`
    }
  }
  const pull = pullTasks(root)
  if (pull === null) {
    return {
      kind: 'unsupported',
      reason: `no task under roles/${DOWNLOAD_ROLE}/tasks runs image_pull_command`
    }
  }
  return {
    kind: 'recipe',
    recipe: { root, roles: [...defaults, ...download, ...engine], queries, steps, pull, notRun }
  }
}

/** The role after its meta dependencies (depth first, each once), as Ansible orders them. */
function withDependencies(root: string, role: string, seen = new Set<string>()): string[] {
  if (seen.has(role)) return []
  seen.add(role)
  const meta = join(root, 'roles', role, 'meta', 'main.yml')
  const deps = existsSync(meta) ? dependencyNames(parse(readFileSync(meta, 'utf8'))) : []
  return [...deps.flatMap(d => withDependencies(root, d, seen)), role]
}

function dependencyNames(meta: unknown): string[] {
  const deps = (meta as { dependencies?: unknown } | null)?.dependencies
  if (!Array.isArray(deps)) return []
  return deps.flatMap(d => {
    const name = typeof d === 'string' ? d : (d as { role?: unknown } | null)?.role
    return typeof name === 'string' && !/\{\{/.test(name) ? [name] : []
  })
}

function hasVariables(root: string, role: string): boolean {
  return ['defaults', 'vars'].some(d => existsSync(join(root, 'roles', role, d)))
}

/** The node file a template or copy task writes, or null for anything else. */
function nodeFile(task: CheckoutTask): NodeFileKind | null {
  if (task.module !== 'template' && task.module !== 'copy') return null
  const args = task.args as Record<string, unknown> | null
  const dest = typeof args?.dest === 'string' ? args.dest : null
  if (dest === null || args?.remote_src === true || args?.remote_src === 'true') return null
  if (/nerdctl\.toml/.test(dest)) return 'nerdctl'
  if (/crictl\.ya?ml/.test(dest)) return 'crictl'
  const containerd = /^\s*(\{\{\s*containerd_cfg_dir\s*\}\}|\/etc\/containerd)\//.test(dest)
  if (!containerd) return null
  if (/certs\.d/.test(dest)) return 'registry-hosts'
  return /\/config\.toml\s*$/.test(dest) ? 'containerd-config' : 'containerd-file'
}

/** Template options that change how a file renders; the render uses the template action's defaults. */
const TEMPLATE_OPTIONS = [
  'trim_blocks',
  'lstrip_blocks',
  'newline_sequence',
  'block_start_string',
  'block_end_string',
  'variable_start_string',
  'variable_end_string',
  'comment_start_string',
  'comment_end_string',
  'output_encoding'
]

function unrenderedOption(task: CheckoutTask): string | undefined {
  const args = task.args as Record<string, unknown>
  return TEMPLATE_OPTIONS.find(o => Object.hasOwn(args, o))
}

/** A task that only reads the node: stat, or a command kubespray runs even in check mode, unchanged. */
function isQuery(task: CheckoutTask): boolean {
  if (task.keywords.register === undefined) return false
  if (task.module === 'stat') return true
  const readOnly = task.keywords.check_mode === false && task.keywords.changed_when === false
  return (task.module === 'command' || task.module === 'shell') && readOnly
}

function pullTasks(root: string): RenderRecipe['pull'] | null {
  const dir = join(root, 'roles', DOWNLOAD_ROLE, 'tasks')
  if (!existsSync(dir)) return null
  const files = readdirSync(dir)
    .filter(f => /\.ya?ml$/.test(f))
    .sort()
  // prep_download.yml first: main.yml imports it before any download runs.
  const ordered = [
    ...files.filter(f => f.startsWith('prep_download')),
    ...files.filter(f => !f.startsWith('prep_download'))
  ]
  const tasks = readAllRoleTasks(root, DOWNLOAD_ROLE, ordered)
  const facts = tasks.filter(t => t.module === 'set_fact' && setsPullCommand(t.args))
  for (const task of tasks) {
    if (task.module !== 'command' && task.module !== 'shell') continue
    const line = commandLine(task.args)
    if (line !== null && /\bimage_pull_command\b/.test(line)) return { facts, command: line, task }
  }
  return null
}

function setsPullCommand(args: unknown): boolean {
  return typeof args === 'object' && args !== null && Object.hasOwn(args, 'image_pull_command')
}

/** `command: "…"`, `command: {cmd: "…"}`, or free form with `args:`. */
export function commandLine(args: unknown): string | null {
  if (typeof args === 'string') return args
  const record = args as { cmd?: unknown; _raw_params?: unknown } | null
  const line = record?.cmd ?? record?._raw_params
  return typeof line === 'string' ? line : null
}
