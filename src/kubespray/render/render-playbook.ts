import { existsSync, statSync } from 'node:fs'
import { join, posix, relative } from 'node:path'
import { stringify } from 'yaml'
import { filesUnder } from '../../host/files-under.js'
import type { GroupVars } from '../cell-vars.js'
import type { SshAccess } from '../inventory.js'
import type { RenderRecipe, RenderStep } from './render-recipe.js'
import type { CheckoutTask } from './task-file.js'

/** The inventory name of the real node, whose facts every cell host gets. */
export const NODE_HOST = 'zjm-node'
/** The role the generated playbooks import: the checkout's defaults and vars, and the render's tasks. */
export const RENDER_ROLE = 'zjm_render'
/** Where the render writes every cell host's result: `{host: {files, pull} | {failedTask, message}}`. */
export const RESULTS_FILE = 'results.json'

/** One host of the render: a set of vars (a cell, or several cells with identical vars). */
export interface RenderHost {
  readonly name: string
  /** The cell's vars and the harness's, as host vars (above the user's group vars, as in the join). */
  readonly vars: GroupVars
}

export interface RenderLayout {
  readonly recipe: RenderRecipe
  readonly hosts: readonly RenderHost[]
  /** `kubespray-vars`: group vars of every host. */
  readonly userVars: GroupVars
  /** Vars the harness sets on the node and every cell (containerd's version…), logged with the render. */
  readonly nodeVars: GroupVars
  readonly node: NodeAccess
  /** The image the pull command is evaluated for (`image_reponame` of the download role). */
  readonly pullImage: string
  /** Absolute: where the render writes `results.json`. */
  readonly outDir: string
}

/** How Ansible reaches the probed node: ssh, or `local` when the node is this host (the unit tests). */
export type NodeAccess = SshAccess | 'local'

/** A file to write (relative to the render's directory), or a symlink into the checkout. */
export type LayoutEntry =
  | { readonly kind: 'file'; readonly path: string; readonly content: string }
  | { readonly kind: 'link'; readonly path: string; readonly target: string }

/**
 * Everything Ansible needs to render the cells, as files: an inventory of the node and one local host
 * per set of vars, a role whose defaults and vars are the checkout's own files (linked, in the order
 * kubespray's roles load them), and two playbooks. `facts.yml` gathers the node's facts once and runs
 * the checkout's read-only queries there; `render.yml` runs, on every cell host, the checkout's
 * set_fact and file tasks (each file rendered from its own template at its own destination), then
 * evaluates the pull command as the download role would run it. Pure: the caller writes and runs it.
 */
export function renderLayout(layout: RenderLayout): LayoutEntry[] {
  return [
    ...variableLinks(layout.recipe),
    file('inventory/hosts.yml', inventory(layout)),
    file(
      'inventory/group_vars/all/kubespray-vars.yml',
      `# Written by zfs-join-matrix: the kubespray-vars input, for every host.\n${stringify(layout.userVars)}`
    ),
    file(
      `inventory/host_vars/${NODE_HOST}.yml`,
      yamlOf('the harness vars of the probed node', layout.nodeVars)
    ),
    ...layout.hosts.map(h =>
      file(`inventory/host_vars/${h.name}.yml`, yamlOf("one cell's vars and the harness vars", h.vars))
    ),
    file(`roles/${RENDER_ROLE}/tasks/facts.yml`, stringify(factsTasks(layout.recipe))),
    file(`roles/${RENDER_ROLE}/tasks/render.yml`, stringify(renderTasks(layout))),
    file('facts.yml', stringify(play(NODE_HOST, true, 'facts.yml'))),
    file('render.yml', stringify(play('zjm_cells', false, 'render.yml')))
  ]
}

function file(path: string, content: string): LayoutEntry {
  return { kind: 'file', path, content }
}

function yamlOf(what: string, vars: GroupVars): string {
  return `# Written by zfs-join-matrix: ${what}.\n${stringify(vars)}`
}

/**
 * Links the checkout's defaults and vars files into the render role: numbered so Ansible loads them in
 * the roles' order, and files of one role in the order Ansible reads its `defaults/main/` directory.
 */
export function variableLinks(recipe: RenderRecipe): LayoutEntry[] {
  const entries: LayoutEntry[] = []
  for (const kind of ['defaults', 'vars'] as const) {
    let n = 0
    for (const role of recipe.roles) {
      for (const source of variableFiles(recipe.root, role, kind)) {
        n += 1
        const name = `${String(n).padStart(3, '0')}-${`${role}/${source}`.replace(/[/]/g, '--')}`
        entries.push({
          kind: 'link',
          path: `roles/${RENDER_ROLE}/${kind}/main/${name}`,
          target: join(recipe.root, 'roles', role, kind, source)
        })
      }
    }
  }
  return entries
}

/**
 * A role's `main.yml` (or `main.yaml`), or every YAML file under its `main/` directory in sorted order:
 * what Ansible loads when the role runs. OS-specific files beside them are loaded by tasks, not here.
 */
export function variableFiles(root: string, role: string, kind: 'defaults' | 'vars'): string[] {
  const dir = join(root, 'roles', role, kind)
  if (!existsSync(dir)) return []
  for (const main of ['main.yml', 'main.yaml']) if (existsSync(join(dir, main))) return [main]
  const mainDir = join(dir, 'main')
  if (!existsSync(mainDir) || !statSync(mainDir).isDirectory()) return []
  return filesUnder(mainDir)
    .filter(p => /\.ya?ml$/.test(p))
    .map(p => posix.join('main', relative(mainDir, p)))
    .sort()
}

export const LOCAL = {
  ansible_connection: 'local',
  ansible_python_interpreter: '{{ ansible_playbook_python }}'
}

function nodeHostVars(node: NodeAccess): Record<string, unknown> {
  if (node === 'local') return LOCAL
  return {
    ansible_host: node.host,
    ansible_port: node.port,
    ansible_user: node.user,
    ansible_ssh_private_key_file: node.identity,
    ansible_ssh_common_args:
      '-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes'
  }
}

function inventory(layout: RenderLayout): string {
  const cells = Object.fromEntries(
    // The render runs on the host: no ssh per cell, the controller's own Python.
    layout.hosts.map(h => [h.name, LOCAL])
  )
  return stringify({
    all: {
      hosts: { [NODE_HOST]: nodeHostVars(layout.node) },
      children: {
        zjm_cells: { hosts: cells },
        // The groups a joining worker is in, for templates that look at them.
        kube_node: { hosts: Object.fromEntries(layout.hosts.map(h => [h.name, null])) },
        k8s_cluster: { children: { kube_node: null } }
      }
    }
  })
}

function play(hosts: string, gatherFacts: boolean, tasks: string): unknown[] {
  return [
    {
      name: gatherFacts ? 'zfs-join-matrix: the node as kubespray sees it' : 'zfs-join-matrix: render',
      hosts,
      gather_facts: gatherFacts,
      tasks: [
        { name: 'zfs-join-matrix: the checkout', import_role: { name: RENDER_ROLE, tasks_from: tasks } }
      ]
    }
  ]
}

/** The checkout's queries, then their registered results made facts so they reach every cell host. */
function factsTasks(recipe: RenderRecipe): unknown[] {
  const registers = recipe.queries.flatMap(q =>
    typeof q.keywords.register === 'string' ? [q.keywords.register] : []
  )
  return [
    ...recipe.queries.map(q => checkoutTask(q, { [q.module]: q.args }, q.keywords)),
    ...(registers.length === 0
      ? []
      : [
          {
            name: 'zfs-join-matrix: keep the queries for the cells',
            set_fact: { ...Object.fromEntries(registers.map(r => [r, `{{ ${r} }}`])), cacheable: true }
          }
        ])
  ]
}

/**
 * Each file task becomes a set_fact that renders the task's own `src` with the template lookup (the
 * templar and options the template action uses, on the controller) at the task's own `dest`, with its
 * own loop and conditions. The template module would also transfer and install every file: two Python
 * module runs per file and cell, 0.2–0.3 s each, most of a render's time; the node gets the files from
 * the probe instead. A copy task's `content` is written as the copy action writes it (JSON for data).
 */
function renderTasks(layout: RenderLayout): unknown[] {
  const { recipe } = layout
  const body = [
    { name: 'zfs-join-matrix: no files yet', set_fact: { zjm_files: [] } },
    ...recipe.steps.map(step => stepTask(recipe.root, step)),
    ...recipe.pull.facts.map(t => checkoutTask(t, { set_fact: t.args }, withoutRegister(t))),
    {
      name: `zfs-join-matrix: the pull as ${recipe.pull.task.path}:${recipe.pull.task.line} runs it`,
      set_fact: { zjm_pull_command: recipe.pull.command },
      vars: { image_reponame: layout.pullImage }
    },
    {
      name: 'zfs-join-matrix: the cell rendered',
      set_fact: { zjm_result: { files: '{{ zjm_files }}', pull: '{{ zjm_pull_command }}' } }
    }
  ]
  const failedItem =
    "(ansible_failed_result.results | default([]) | selectattr('failed', 'defined') | selectattr('failed') | map(attribute='msg') | first | default(''))"
  return [
    {
      name: 'zfs-join-matrix: render the cell',
      block: body,
      rescue: [
        {
          name: 'zfs-join-matrix: why the render failed',
          set_fact: {
            zjm_result: {
              failedTask: '{{ ansible_failed_task.name }}',
              message: `{{ ((ansible_failed_result.msg | default('failed')) ~ ' ' ~ ${failedItem}) | trim }}`
            }
          }
        }
      ]
    },
    {
      name: "zfs-join-matrix: every cell's result, in one file",
      run_once: true,
      copy: {
        content:
          "{% set all = {} %}{% for h in ansible_play_hosts_all %}{% set _ = all.update({h: hostvars[h].zjm_result | default({'failedTask': '(none)', 'message': 'the host did not finish'})}) %}{% endfor %}{{ all | to_json }}",
        dest: `${layout.outDir}/${RESULTS_FILE}`
      }
    }
  ]
}

function stepTask(root: string, step: RenderStep): unknown {
  const { task } = step
  if (step.kind === 'fact') return checkoutTask(task, { set_fact: task.args }, withoutRegister(task))
  const args = task.args as Record<string, unknown>
  const keywords = withoutRegister(task)
  const vars: Record<string, unknown> = {
    ...(keywords.vars as Record<string, unknown> | undefined),
    zjm_dest: String(args.dest).trim()
  }
  let content: string
  if (typeof args.content !== 'undefined') {
    vars.zjm_content = args.content
    content = '(zjm_content if zjm_content is string else (zjm_content | to_json))'
  } else {
    const src = String(args.src)
    const dir = task.module === 'template' ? 'templates' : 'files'
    vars.zjm_src = src.startsWith('/') ? src : `${join(root, 'roles', step.role, dir)}/${src}`
    content =
      task.module === 'template'
        ? "lookup('ansible.builtin.template', zjm_src, convert_data=False)"
        : "lookup('ansible.builtin.file', zjm_src, rstrip=False)"
  }
  return checkoutTask(
    task,
    { set_fact: { zjm_files: `{{ zjm_files + [{'path': zjm_dest, 'content': ${content}}] }}` } },
    { ...keywords, vars }
  )
}

function withoutRegister(task: CheckoutTask): Record<string, unknown> {
  const { register: _r, check_mode: _c, changed_when: _ch, ...rest } = task.keywords
  return rest
}

/** A checkout task as the render runs it: its name says where it comes from. */
function checkoutTask(
  task: CheckoutTask,
  module: Record<string, unknown>,
  keywords: Readonly<Record<string, unknown>>
): Record<string, unknown> {
  return { name: `${task.name} (${task.path}:${task.line})`, ...module, ...conditions(task), ...keywords }
}

function conditions(task: CheckoutTask): Record<string, unknown> {
  return task.when.length === 0 ? {} : { when: [...task.when] }
}
