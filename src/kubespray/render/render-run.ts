import { createHash } from 'node:crypto'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { dirname, join, relative } from 'node:path'
import type { Executor } from '../../exec/executor.js'
import type { CleanupLedger } from '../../cleanup/ledger.js'
import { fillDir } from '../../host/fill-dir.js'
import { filesUnder } from '../../host/files-under.js'
import type { Log } from '../../log/log.js'
import type { AnsibleTools } from '../ansible.js'
import type { GroupVars } from '../cell-vars.js'
import { runGenerated, writeLayout, type PlaybookContext } from './render-ansible.js'
import { NODE_HOST, RESULTS_FILE, renderLayout, type NodeAccess, type RenderHost } from './render-playbook.js'
import type { RenderRecipe } from './render-recipe.js'

/** A file as the checkout rendered it for a cell, at its path on the node. */
export interface RenderedFile {
  readonly path: string
  readonly content: string
}

export type CellRender =
  | {
      readonly kind: 'rendered'
      readonly files: readonly RenderedFile[]
      /** The pull command line as Ansible evaluated it, image included. */
      readonly pull: string
      /** Taken from the render cache (same checkout files, vars, node and Ansible). */
      readonly cached: boolean
    }
  | { readonly kind: 'failed'; readonly message: string }

export interface RenderRequest {
  readonly recipe: RenderRecipe
  readonly ansible: AnsibleTools
  readonly node: {
    readonly access: NodeAccess
    /** What identifies the node for the cache: its image and the versions read inside it. */
    readonly identity: string
  }
  /** Each cell's vars (the cell's own and the harness's): cells with equal vars are rendered once. */
  readonly cells: ReadonlyMap<string, GroupVars>
  readonly userVars: GroupVars
  readonly nodeVars: GroupVars
  readonly pullImage: string
  /** Scratch directory for this render (removed with the run). */
  readonly dir: string
  /** Where `render-facts.log` and `render.log` go. */
  readonly logDir: string
  /** Render results are kept here between runs; null keeps nothing. */
  readonly cacheDir: string | null
  readonly exec: Executor
  readonly log: Log
  readonly ledger?: CleanupLedger
  readonly signal: AbortSignal
  readonly timeoutMs: number
}

/** Bumped when what the generated playbooks do changes, so old cache entries are not reused. */
const GENERATOR = 'render-1'

export interface RenderSummary {
  readonly renders: ReadonlyMap<string, CellRender>
  /** Distinct var sets rendered by Ansible this time (0: everything came from the cache). */
  readonly rendered: number
  readonly cached: number
  readonly seconds: number
}

/**
 * Renders every cell's node files from the checkout with one `ansible-playbook` for the node's facts
 * and one for all the cells, on the host. Var sets already rendered for the same checkout files, node
 * and Ansible come from the cache, and when all do, Ansible is not run at all.
 */
export async function renderCells(request: RenderRequest): Promise<RenderSummary> {
  const started = Date.now()
  const tree = treeHash(request.recipe)
  const groups = groupByVars(request.cells)
  const hosts = groups.map((g, i) => ({
    host: { name: `zjm-cell-${String(i + 1).padStart(2, '0')}`, vars: g.vars },
    cells: g.cells,
    key: cacheKey(request, tree, g.vars)
  }))
  const results = new Map<string, CellRender>()
  const missing = hosts.filter(h => {
    const hit = request.cacheDir === null ? undefined : fromCache(join(request.cacheDir, h.key))
    if (hit === undefined) return true
    for (const cell of h.cells) results.set(cell, hit)
    return false
  })
  if (missing.length > 0) {
    const fresh = await runRender(
      request,
      missing.map(m => m.host)
    )
    for (const m of missing) {
      const render = fresh.get(m.host.name)!
      if (render.kind === 'rendered' && request.cacheDir !== null) {
        await store(join(request.cacheDir, m.key), render, request.ledger)
      }
      for (const cell of m.cells) results.set(cell, render)
    }
  }
  return {
    renders: results,
    rendered: missing.length,
    cached: hosts.length - missing.length,
    seconds: (Date.now() - started) / 1000
  }
}

function context(request: RenderRequest): PlaybookContext {
  return { ...request, root: request.recipe.root }
}

async function runRender(
  request: RenderRequest,
  hosts: readonly RenderHost[]
): Promise<Map<string, CellRender>> {
  rmSync(request.dir, { recursive: true, force: true })
  const outDir = join(request.dir, 'out')
  writeLayout(
    request.dir,
    renderLayout({
      recipe: request.recipe,
      hosts,
      userVars: request.userVars,
      nodeVars: request.nodeVars,
      node: request.node.access,
      pullImage: request.pullImage,
      outDir
    })
  )
  const failAll = (message: string) => new Map(hosts.map(h => [h.name, { kind: 'failed' as const, message }]))
  const facts = await runGenerated(context(request), 'facts.yml', 'render-facts.log', 1)
  if (facts !== null) return failAll(`gathering the node's facts for the render failed: ${facts}`)
  const cache = join(request.dir, 'facts')
  // The cache file is named after the host, with a prefix some Ansible releases add (`s1_` in 2.19).
  const nodeFile = readdirSync(cache).find(f => f.endsWith(NODE_HOST))
  if (nodeFile === undefined)
    return failAll(`Ansible kept no facts of the node in ${cache} (see render-facts.log)`)
  const prefix = nodeFile.slice(0, -NODE_HOST.length)
  for (const h of hosts) copyFileSync(join(cache, nodeFile), join(cache, `${prefix}${h.name}`))
  const rendered = await runGenerated(context(request), 'render.yml', 'render.log', hosts.length)
  const path = join(outDir, RESULTS_FILE)
  const all = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {}
  const unfinished = `the render did not finish${rendered === null ? '' : `: ${rendered}`}`
  return new Map(hosts.map(h => [h.name, cellRender(all[h.name]) ?? { kind: 'failed', message: unfinished }]))
}

/** One host's entry of results.json, as the render playbook writes it. */
interface HostResult {
  readonly files?: unknown
  readonly pull?: unknown
  readonly failedTask?: unknown
  readonly message?: unknown
}

function cellRender(value: unknown): CellRender | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const result = value as HostResult
  if (typeof result.pull !== 'string' || !Array.isArray(result.files)) {
    return {
      kind: 'failed',
      message: `the checkout's task "${String(result.failedTask)}" failed: ${ansibleMessage(String(result.message))}`
    }
  }
  const files = (result.files as { path?: unknown; content?: unknown }[]).map(f => ({
    path: String(f.path),
    content: String(f.content)
  }))
  return { kind: 'rendered', files, pull: result.pull, cached: false }
}

/** Ansible's message without its explanation of where in the playbook the error "appears to be". */
function ansibleMessage(message: string): string {
  const cut = message
    .split(/\n\s*\n|The error appears to be/)[0]!
    .replace(/\s+/g, ' ')
    .trim()
  // Ansible repeats the undefined variable's sentence once per template level it went through.
  const sentences = cut.split(/(?<=\.) /)
  return sentences.filter((s, i) => sentences.indexOf(s) === i).join(' ')
}

const CACHED = 'render.json'

function fromCache(dir: string): CellRender | undefined {
  const path = join(dir, CACHED)
  if (!existsSync(path)) return undefined
  const render = cellRender(JSON.parse(readFileSync(path, 'utf8')))
  return render?.kind === 'rendered' ? { ...render, cached: true } : undefined
}

async function store(dir: string, render: CellRender, ledger?: CleanupLedger): Promise<void> {
  if (existsSync(dir) || render.kind !== 'rendered') return
  mkdirSync(dirname(dir), { recursive: true })
  await fillDir(
    dir,
    partial => {
      mkdirSync(partial, { recursive: true })
      writeFileSync(join(partial, CACHED), JSON.stringify({ files: render.files, pull: render.pull }))
      return Promise.resolve()
    },
    ledger
  )
}

function groupByVars(cells: ReadonlyMap<string, GroupVars>): { vars: GroupVars; cells: string[] }[] {
  const groups = new Map<string, { vars: GroupVars; cells: string[] }>()
  for (const [cell, vars] of cells) {
    const key = stableJson(vars)
    const group = groups.get(key) ?? { vars, cells: [] }
    group.cells.push(cell)
    groups.set(key, group)
  }
  return [...groups.values()]
}

function cacheKey(request: RenderRequest, tree: string, vars: GroupVars): string {
  return createHash('sha256')
    .update(
      stableJson({
        generator: GENERATOR,
        tree,
        ansible: request.ansible.description,
        node: request.node.identity,
        user: request.userVars,
        nodeVars: request.nodeVars,
        vars,
        pullImage: request.pullImage
      })
    )
    .digest('hex')
    .slice(0, 24)
}

/**
 * A hash of every file the render reads in the checkout: the loaded roles (defaults, vars, tasks,
 * templates, files, meta), the download role's tasks and ansible.cfg. A fork's change to any of them
 * is a new render; a change elsewhere in the tree reuses the cached one.
 */
export function treeHash(recipe: RenderRecipe): string {
  const hash = createHash('sha256')
  const dirs = [...recipe.roles.map(r => `roles/${r}`), 'roles/download/tasks']
  for (const dir of dirs) {
    const abs = join(recipe.root, dir)
    if (!existsSync(abs)) continue
    for (const path of filesUnder(abs)) {
      hash.update(relative(recipe.root, path)).update('\0').update(readFileSync(path)).update('\0')
    }
  }
  const cfg = join(recipe.root, 'ansible.cfg')
  if (existsSync(cfg)) hash.update('ansible.cfg\0').update(readFileSync(cfg))
  return hash.digest('hex')
}

/** JSON with sorted keys, so equal vars give equal keys whatever order they were built in. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}
