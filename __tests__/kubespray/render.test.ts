/**
 * The probe's render for real: Debian's Ansible renders the kubespray-shaped fixture layouts (their
 * own templates, defaults and pull commands) for every cell, with this host standing in for the node
 * (its facts; `ctr oci spec` answered by a small fake ctr).
 */
import { readFileSync, writeFileSync, appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { processExecutor } from '../../src/exec/executor.js'
import { cellVars, checkoutPull, type GroupVars } from '../../src/kubespray/cell-vars.js'
import { checkoutAt } from '../../src/kubespray/checkout.js'
import { readKubesprayTree } from '../../src/kubespray/kubespray-tree.js'
import { readRenderRecipe } from '../../src/kubespray/render/render-recipe.js'
import { renderCells, type CellRender, type RenderRequest } from '../../src/kubespray/render/render-run.js'
import { SNAPSHOTTERS, TOOLS, VARIANTS } from '../../src/plan/axes.js'
import { makeCell, type Cell } from '../../src/plan/cell.js'
import { criSnapshotter, nerdctlSnapshotter } from '../../src/scenarios/probe/cell-config.js'
import { planRender } from '../../src/scenarios/probe/checkout-configs.js'
import { harnessVars } from '../../src/scenarios/probe/harness.js'
import { readToml, valueAt } from '../../src/containerd/toml-edit.js'
import { recordingLog } from '../fakes.js'
import { tempDir } from '../helpers.js'
import { fakeCtrDir, renderFixture, type RenderLayout } from '../kubespray-fixtures.js'

const IMAGE = '127.0.0.1:5000/zjm/probe:v1'
const TARGET = { registry: '127.0.0.1:5000', sandboxImage: '127.0.0.1:5000/zjm/pause:v1' }
const CELLS: Cell[] = SNAPSHOTTERS.flatMap(s =>
  TOOLS.flatMap(t => VARIANTS.map(v => makeCell('debian-13', s, t, v)))
)
const SYSTEM_ANSIBLE = { bin: '', description: 'system' }

interface Rendered {
  readonly renders: ReadonlyMap<string, CellRender>
  readonly request: RenderRequest
  readonly summary: Awaited<ReturnType<typeof renderCells>>
}

async function render(
  root: string,
  dir: string,
  options: { containerd?: string; cells?: readonly Cell[]; cacheDir?: string | null; bin?: string } = {}
): Promise<Rendered> {
  const recipe = readRenderRecipe(root)
  if (recipe.kind !== 'recipe') throw new Error(recipe.reason)
  const reading = readKubesprayTree(root)
  if (reading.kind !== 'tree') throw new Error(reading.reason)
  const pull = checkoutPull(reading.tree)
  const harness = harnessVars(TARGET, options.containerd ?? '1.7.24')
  const cells = new Map<string, GroupVars>(
    (options.cells ?? CELLS).map(c => [c.id, { ...cellVars(c, pull), ...harness }])
  )
  const request: RenderRequest = {
    recipe: recipe.recipe,
    ansible: SYSTEM_ANSIBLE,
    node: { access: 'local', identity: 'this host' },
    cells,
    // What a user may set in kubespray-vars: here, where this host's "node" finds its ctr.
    userVars: { containerd_bin_dir: options.bin ?? fakeCtrDir(dir) },
    nodeVars: harness,
    pullImage: IMAGE,
    dir: join(dir, 'render'),
    logDir: join(dir, 'logs'),
    cacheDir: options.cacheDir === undefined ? null : options.cacheDir,
    exec: processExecutor,
    log: recordingLog(),
    signal: new AbortController().signal,
    timeoutMs: 120_000
  }
  const summary = await renderCells(request)
  return { renders: summary.renders, request, summary }
}

function rendered(renders: ReadonlyMap<string, CellRender>, id: string) {
  const r = renders.get(id)
  if (r?.kind !== 'rendered') throw new Error(`${id}: ${r?.kind === 'failed' ? r.message : 'missing'}`)
  return r
}

function file(renders: ReadonlyMap<string, CellRender>, id: string, path: string): string {
  const found = rendered(renders, id).files.find(f => f.path === path)
  if (found === undefined) throw new Error(`${id}: no ${path}`)
  return found.content
}

const HOSTS_DIR = ' --hosts-dir /etc/containerd/certs.d'
const CTR = `/usr/local/bin/ctr -n k8s.io images pull`
const NERDCTL = `/usr/local/bin/nerdctl -n k8s.io pull --quiet`
const CRICTL = `/usr/local/bin/crictl pull ${IMAGE}`

/** The matrix's ctr pull (or v2.25's own), as evaluated: `--snapshotter` only for the fixed variant. */
const ctrPull = (cell: Cell) =>
  `${CTR}${cell.variant === 'fixed' ? ` --snapshotter ${cell.snapshotter}` : ''}${HOSTS_DIR} ${IMAGE}`
/** Where nerdctl_snapshotter decides nerdctl's: the fixed variant's, else overlayfs. */
const nerdctlOf = (cell: Cell) => (cell.variant === 'fixed' ? cell.snapshotter : 'overlayfs')
/** The pull of a layout whose nerdctl cell runs nerdctl (`nerdctlLine`) and whose ctr cell the matrix's ctr. */
const pullOf = (cell: Cell, nerdctlLine: string) =>
  cell.tool === 'crictl' ? CRICTL : cell.tool === 'ctr' ? ctrPull(cell) : nerdctlLine

/** What each layout's cells must render to: nerdctl.toml's snapshotter and the evaluated pull. */
const EXPECTED: Record<RenderLayout, (cell: Cell) => { nerdctl: string; pull: string }> = {
  'v2.21': cell => ({ nerdctl: 'native', pull: pullOf(cell, `${NERDCTL}  ${IMAGE}`) }),
  // The checkout's own nerdctl_image_pull_command runs ctr: the nerdctl and ctr cells both pull with it.
  'v2.25': cell => ({ nerdctl: nerdctlOf(cell), pull: cell.tool === 'crictl' ? CRICTL : ctrPull(cell) }),
  master: cell => ({ nerdctl: nerdctlOf(cell), pull: pullOf(cell, `${NERDCTL} ${IMAGE}`) }),
  'fixed-fork': cell => ({
    nerdctl: cell.snapshotter,
    // The fork's own pull passes --snapshotter already: the fixed variant adds nothing to it.
    pull: cell.tool === 'crictl' ? CRICTL : `${CTR} --snapshotter=${cell.snapshotter}${HOSTS_DIR} ${IMAGE}`
  })
}

describe('rendering a checkout with real Ansible', () => {
  for (const layout of ['v2.21', 'v2.25', 'master', 'fixed-fork'] as const) {
    it(`${layout}: every cell's files and pull are the checkout's own`, async () => {
      const dir = tempDir()
      const { renders, summary } = await render(renderFixture(layout, dir), dir)
      expect(renders.size).toBe(CELLS.length)
      // Cells with the same vars are rendered once: where the checkout's own pull runs ctr, the ctr
      // cell sets nothing the nerdctl cell does not.
      expect(summary.rendered).toBe(layout === 'v2.25' || layout === 'fixed-fork' ? 12 : 18)
      for (const cell of CELLS) {
        const r = rendered(renders, cell.id)
        const want = EXPECTED[layout](cell)
        expect([cell.id, criSnapshotter(r.files)]).toEqual([cell.id, cell.snapshotter])
        expect([cell.id, nerdctlSnapshotter(r.files)]).toEqual([cell.id, want.nerdctl])
        expect([cell.id, r.pull]).toEqual([cell.id, want.pull])
        const config = file(renders, cell.id, '/etc/containerd/config.toml')
        expect(config).toContain(`sandbox_image = "${TARGET.sandboxImage}"`)
        // The fix tells containerd 2.x's transfer service to unpack for the cell's snapshotter; the
        // rendered file stays TOML wherever the template prints containerd_extra_args.
        const toml = readToml(config)
        expect([cell.id, toml.kind]).toEqual([cell.id, 'toml'])
        if (toml.kind === 'toml') {
          const unpack = valueAt(toml.value, ['plugins', 'io.containerd.transfer.v1.local', 'unpack_config'])
          expect([cell.id, unpack]).toEqual([
            cell.id,
            cell.variant === 'fixed'
              ? [{ platform: 'linux/amd64', snapshotter: cell.snapshotter }]
              : undefined
          ])
        }
        expect(file(renders, cell.id, '/etc/crictl.yaml')).toBe(
          'runtime-endpoint: unix:///var/run/containerd/containerd.sock\nimage-endpoint: unix:///var/run/containerd/containerd.sock\ntimeout: 30\ndebug: false\n'
        )
        // The base runtime spec is the node's `ctr oci spec` with kubespray's patch, as the copy writes it.
        expect(JSON.parse(file(renders, cell.id, '/etc/containerd/cri-base.json'))).toEqual({
          ociVersion: '1.1.0',
          process: {
            args: ['sh'],
            cwd: '/',
            rlimits: [{ type: 'RLIMIT_NOFILE', hard: 65535, soft: 65535 }]
          }
        })
      }
      const paths = rendered(renders, CELLS[0]!.id)
        .files.map(f => f.path)
        .sort()
      expect(paths).toEqual(
        [
          '/etc/containerd/config.toml',
          '/etc/containerd/cri-base.json',
          '/etc/crictl.yaml',
          '/etc/nerdctl/nerdctl.toml',
          // v2.21 had no certs.d: its registries are mirrors in config.toml.
          ...(layout === 'v2.21' ? [] : ['/etc/containerd/certs.d/127.0.0.1:5000/hosts.toml'])
        ].sort()
      )
      if (layout === 'v2.21') {
        expect(file(renders, CELLS[0]!.id, '/etc/containerd/config.toml')).toContain(
          '[plugins."io.containerd.grpc.v1.cri".registry.mirrors."127.0.0.1:5000"]\n          endpoint = ["http://127.0.0.1:5000"]'
        )
      } else {
        expect(file(renders, CELLS[0]!.id, '/etc/containerd/certs.d/127.0.0.1:5000/hosts.toml')).toBe(
          'server = "https://127.0.0.1:5000"\n[host."http://127.0.0.1:5000"]\n  capabilities = ["pull","resolve"]\n  skip_verify = true\n'
        )
      }
    }, 120_000)
  }

  it('master: containerd_version picks the template, as kubespray does (config-v1 below 2.0, v3 from 2.0)', async () => {
    const dir = tempDir()
    const root = renderFixture('master', dir)
    const cells = [makeCell('debian-13', 'zfs', 'crictl', 'kubespray')]
    const old = await render(root, join(dir, 'a'), { cells, containerd: '1.7.24' })
    const config1 = file(old.renders, cells[0]!.id, '/etc/containerd/config.toml')
    expect(config1).toMatch(/^version = 2\n/)
    expect(config1).toContain(
      '[plugins."io.containerd.grpc.v1.cri".containerd]\n      default_runtime_name = "runc"\n      snapshotter = "zfs"'
    )
    const v3 = await render(root, join(dir, 'b'), { cells, containerd: '2.1.9' })
    const config3 = file(v3.renders, cells[0]!.id, '/etc/containerd/config.toml')
    expect(config3).toMatch(/^version = 3\n/)
    expect(config3).toContain('[plugins."io.containerd.cri.v1.images"]\n    snapshotter = "zfs"')
    expect(criSnapshotter(rendered(v3.renders, cells[0]!.id).files)).toBe('zfs')
  }, 120_000)

  it('renders exactly what ansible.builtin.template writes', async () => {
    const dir = tempDir()
    const root = renderFixture('master', dir)
    const cell = makeCell('debian-13', 'native', 'nerdctl', 'fixed')
    const { renders, request } = await render(root, dir, { cells: [cell] })
    // The same template, vars and facts through the template module, on the same inventory.
    const playbook = join(dir, 'template-module.yml')
    writeFileSync(
      playbook,
      `- hosts: zjm_cells\n  gather_facts: false\n  tasks:\n    - import_role: {name: zjm_render, tasks_from: render.yml}\n    - template: {src: ${root}/roles/container-engine/nerdctl/templates/nerdctl.toml.j2, dest: ${dir}/nerdctl-by-module.toml}\n    - template: {src: ${root}/roles/container-engine/containerd/templates/config-v1.toml.j2, dest: ${dir}/config-by-module.toml}\n`
    )
    const r = await processExecutor.run(
      {
        program: 'ansible-playbook',
        args: ['-i', join(request.dir, 'inventory', 'hosts.yml'), playbook],
        cwd: root,
        env: {
          ANSIBLE_ROLES_PATH: join(request.dir, 'roles'),
          ANSIBLE_CACHE_PLUGIN: 'jsonfile',
          ANSIBLE_CACHE_PLUGIN_CONNECTION: join(request.dir, 'facts')
        }
      },
      { timeoutMs: 120_000 }
    )
    expect([r.exitCode, r.stdout.slice(-2000)]).toEqual([0, expect.anything()])
    expect(file(renders, cell.id, '/etc/nerdctl/nerdctl.toml')).toBe(
      readFileSync(join(dir, 'nerdctl-by-module.toml'), 'utf8')
    )
    expect(file(renders, cell.id, '/etc/containerd/config.toml')).toBe(
      readFileSync(join(dir, 'config-by-module.toml'), 'utf8')
    )
  }, 120_000)

  it('takes unchanged renders from the cache, and renders again when a template changes', async () => {
    const dir = tempDir()
    const root = renderFixture('fixed-fork', dir)
    const cacheDir = join(dir, 'cache')
    const bin = fakeCtrDir(dir)
    const cells = CELLS.slice(0, 4)
    const first = await render(root, join(dir, 'a'), { cells, cacheDir, bin })
    expect([first.summary.rendered, first.summary.cached]).toEqual([4, 0])
    const second = await render(root, join(dir, 'b'), { cells, cacheDir, bin })
    expect([second.summary.rendered, second.summary.cached]).toEqual([0, 4])
    expect([...second.renders.values()].every(r => r.kind === 'rendered' && r.cached)).toBe(true)
    expect(file(second.renders, cells[0]!.id, '/etc/nerdctl/nerdctl.toml')).toBe(
      file(first.renders, cells[0]!.id, '/etc/nerdctl/nerdctl.toml')
    )
    // A fork's change to its nerdctl template is a new render, with the new content.
    appendFileSync(
      join(root, 'roles/container-engine/nerdctl/templates/nerdctl.toml.j2'),
      'experimental = true\n'
    )
    const third = await render(root, join(dir, 'c'), { cells, cacheDir, bin })
    expect([third.summary.rendered, third.summary.cached]).toEqual([4, 0])
    expect(file(third.renders, cells[0]!.id, '/etc/nerdctl/nerdctl.toml')).toMatch(/experimental = true\n$/)
  }, 180_000)

  it('a template the checkout cannot render for this node fails its cells, naming the task and why', async () => {
    const dir = tempDir()
    const root = renderFixture('v2.25', dir)
    appendFileSync(
      join(root, 'roles/container-engine/containerd/templates/config.toml.j2'),
      'engine = "{{ containerd_runc_runtime.engine }}"\n'
    )
    const cells = CELLS.slice(0, 2)
    const { renders } = await render(root, dir, { cells })
    for (const cell of cells) {
      const r = renders.get(cell.id)!
      expect(r.kind).toBe('failed')
      if (r.kind !== 'failed') continue
      expect(r.message).toContain(
        'Containerd | Copy containerd config file (roles/container-engine/containerd/tasks/main.yml:'
      )
      expect(r.message).toMatch(/has no attribute 'engine'/)
      // Ansible's long explanation of where the error "appears to be" is not repeated.
      expect(r.message).not.toContain('The error appears to be')
    }
  }, 120_000)
})

describe('what the checkout needs to be rendered here', () => {
  const ansible = (core: string) => () =>
    Promise.resolve({
      kind: 'ready' as const,
      tools: { ...SYSTEM_ANSIBLE, versions: { core, jinja: '3.1.2' } }
    })

  it('an Ansible older than the checkout asks for makes its cells unavailable, naming what it needs', async () => {
    const dir = tempDir()
    const root = renderFixture('master', dir)
    const plan = await planRender(
      checkoutAt(root),
      ansible('2.13.1'),
      { workDir: dir },
      new AbortController().signal
    )
    expect(plan).toEqual({
      kind: 'unavailable',
      reason:
        'the checkout needs Ansible >= 2.14.0 (playbooks/ansible_version.yml:7); found ansible-core 2.13.1: use ansible: venv (its requirements.txt) or install a newer Ansible'
    })
  })

  it('a newer Ansible than kubespray supports renders, with a note', async () => {
    const dir = tempDir()
    const plan = await planRender(
      checkoutAt(renderFixture('master', dir)),
      ansible('2.21.0'),
      { workDir: dir },
      new AbortController().signal
    )
    expect(plan.kind).toBe('ready')
    if (plan.kind === 'ready') {
      expect(plan.notes).toEqual([
        'ansible-core 2.21.0 is newer than the checkout supports (< 2.20.0, playbooks/ansible_version.yml:8)'
      ])
    }
  })

  it('no Ansible: unavailable with its reason, never the model', async () => {
    const dir = tempDir()
    const plan = await planRender(
      checkoutAt(renderFixture('v2.25', dir)),
      () => Promise.resolve({ kind: 'unavailable', reason: 'ansible-playbook is not installed' }),
      { workDir: dir },
      new AbortController().signal
    )
    expect(plan).toEqual({
      kind: 'unavailable',
      reason: 'rendering the checkout needs Ansible: ansible-playbook is not installed'
    })
  })

  it('a template task with options the render does not apply is refused, naming the task', () => {
    const dir = tempDir()
    const root = renderFixture('v2.25', dir)
    const tasks = join(root, 'roles/container-engine/nerdctl/tasks/main.yml')
    writeFileSync(
      tasks,
      readFileSync(tasks, 'utf8').replace('    mode: "0644"\n', '    mode: "0644"\n    lstrip_blocks: true\n')
    )
    expect(readRenderRecipe(root)).toEqual({
      kind: 'unsupported',
      reason:
        "roles/container-engine/nerdctl/tasks/main.yml:5 renders with lstrip_blocks, which the probe's render does not apply"
    })
  })
})
