import { existsSync, readFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import { LineCounter, isMap, isSeq, parseDocument, type Node as YamlNode } from 'yaml'

/**
 * One task of a role's tasks files, as written in the checkout: its module and arguments untouched
 * (Jinja stays Jinja, for Ansible to evaluate), the keywords that decide whether and how often it runs,
 * and where it is. Blocks are flattened: a block's `when` and `vars` go down to its tasks.
 */
export interface CheckoutTask {
  /** Relative to the checkout. */
  readonly path: string
  /** 1-based line of the task's first key. */
  readonly line: number
  readonly name: string
  /** Without its `ansible.builtin.` / `ansible.legacy.` prefix: `template`, `set_fact`, `command`… */
  readonly module: string
  /** The module's arguments: a mapping, or a free-form string (`command: "ctr oci spec"`). */
  readonly args: unknown
  /** Conditions from enclosing blocks first, then the task's own. */
  readonly when: readonly unknown[]
  /** `loop`, `with_*`, `loop_control`, `vars` (merged with the blocks'), `register`, `check_mode`, `changed_when`. */
  readonly keywords: Readonly<Record<string, unknown>>
}

/** Task keywords that are not modules (enough of Ansible's list to find the one module key). */
const KEYWORDS = new Set([
  'name',
  'when',
  'loop',
  'loop_control',
  'vars',
  'register',
  'notify',
  'tags',
  'become',
  'become_user',
  'become_method',
  'delegate_to',
  'delegate_facts',
  'run_once',
  'changed_when',
  'failed_when',
  'check_mode',
  'no_log',
  'ignore_errors',
  'ignore_unreachable',
  'retries',
  'until',
  'delay',
  'environment',
  'args',
  'any_errors_fatal',
  'throttle',
  'timeout',
  'listen',
  'collections',
  'module_defaults',
  'diff',
  'debugger',
  'connection',
  'port',
  'remote_user',
  'block',
  'rescue',
  'always'
])
/** What a render keeps of a task besides its module: how often and with what it runs, and its result. */
const KEPT = new Set(['loop', 'loop_control', 'register', 'check_mode', 'changed_when'])
/** Files that a role's tasks include by a fixed name in the same role (never `../../../download/…`). */
const INCLUDES = new Set(['import_tasks', 'include_tasks', 'include'])
const PREFIX = /^ansible\.(builtin|legacy)\./

/**
 * The tasks a role runs from `tasks/<entry>`, in order, following `import_tasks`/`include_tasks` of
 * files of the same role named without Jinja. A missing entry file gives no tasks; a file that is not
 * YAML is an error naming it.
 */
export function readRoleTasks(root: string, role: string, entry = 'main.yml'): CheckoutTask[] {
  return readTaskFile(root, `roles/${role}/tasks`, entry, new Set())
}

/** Every task of every `*.yml` file under a role's tasks directory, file by file in name order. */
export function readAllRoleTasks(root: string, role: string, files: readonly string[]): CheckoutTask[] {
  return files.flatMap(f => readTaskFile(root, `roles/${role}/tasks`, f, new Set(), false))
}

function readTaskFile(
  root: string,
  dir: string,
  file: string,
  seen: Set<string>,
  follow = true
): CheckoutTask[] {
  const path = posix.join(dir, file)
  if (seen.has(path) || !existsSync(join(root, path))) return []
  seen.add(path)
  const text = readFileSync(join(root, path), 'utf8')
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false })
  if (doc.errors.length > 0) throw new Error(`${path} is not YAML: ${doc.errors[0]!.message}`)
  const tasks: CheckoutTask[] = []
  const walk = (list: YamlNode | null | undefined, inherited: Inherited): void => {
    if (!isSeq(list)) return
    for (const item of list.items) {
      if (!isMap(item)) continue
      const task = item.toJSON() as Record<string, unknown>
      const line = lines.linePos(item.range?.[0] ?? 0).line
      const when = [...inherited.when, ...asList(task.when)]
      const vars = { ...inherited.vars, ...asRecord(task.vars) }
      if (Array.isArray(task.block)) {
        const nested = { when, vars }
        walk(item.get('block', true), nested)
        continue
      }
      const module = moduleKey(task)
      if (module === null) continue
      const name = module.replace(PREFIX, '')
      if (follow && INCLUDES.has(name)) {
        const target = includedFile(task[module])
        if (target !== null) tasks.push(...readTaskFile(root, dir, target, seen))
        continue
      }
      const keywords: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(task)) {
        if (KEPT.has(k) || k.startsWith('with_')) keywords[k] = v
      }
      if (Object.keys(vars).length > 0) keywords.vars = vars
      tasks.push({
        path,
        line,
        name: typeof task.name === 'string' ? task.name : `${name} (unnamed)`,
        module: name,
        args: task.args === undefined ? task[module] : mergeArgs(task[module], task.args),
        when,
        keywords
      })
    }
  }
  walk(doc.contents, { when: [], vars: {} })
  return tasks
}

interface Inherited {
  readonly when: readonly unknown[]
  readonly vars: Readonly<Record<string, unknown>>
}

function moduleKey(task: Record<string, unknown>): string | null {
  return Object.keys(task).find(k => !KEYWORDS.has(k) && !k.startsWith('with_')) ?? null
}

/** `include_tasks: crictl.yml` or `include_tasks: {file: crictl.yml}`; null for Jinja or other roles. */
function includedFile(args: unknown): string | null {
  const file = typeof args === 'string' ? args : (asRecord(args).file ?? null)
  if (typeof file !== 'string') return null
  if (/\{\{|\{%/.test(file) || file.startsWith('/') || file.split('/').includes('..')) return null
  return file
}

function mergeArgs(module: unknown, args: unknown): unknown {
  if (typeof module === 'string') return { _raw_params: module, ...asRecord(args) }
  return { ...asRecord(module), ...asRecord(args) }
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return []
  return Array.isArray(value) ? value : [value]
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}
