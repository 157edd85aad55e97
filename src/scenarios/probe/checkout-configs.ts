import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cmd } from '../../exec/command.js'
import { check } from '../../exec/executor.js'
import type { HostContext } from '../../host/context.js'
import type { Config } from '../../inputs/config.js'
import type { ImageSpec } from '../../images/catalogue.js'
import type { AnsibleTools } from '../../kubespray/ansible.js'
import { cellVars, checkoutPull, type GroupVars } from '../../kubespray/cell-vars.js'
import type { Checkout } from '../../kubespray/checkout.js'
import type { KubesprayTree } from '../../kubespray/kubespray-tree.js'
import { checkNeeds, readAnsibleNeeds } from '../../kubespray/render/ansible-needs.js'
import { readRenderRecipe, type RenderRecipe } from '../../kubespray/render/render-recipe.js'
import { renderCells } from '../../kubespray/render/render-run.js'
import type { Cell } from '../../plan/cell.js'
import { nodeExecutor, type Node } from '../../providers/provider.js'
import type { NodeVersions } from '../../results/cell-result.js'
import type { RunAnsible } from '../run-ansible.js'
import { configOf, type CellConfig } from './cell-config.js'
import { applyHarness, harnessVars, type HarnessTarget } from './harness.js'
import { errorMessage } from '../../text/error-message.js'

/** A cell's configuration from the checkout, or why the checkout could not give it one. */
export type CheckoutConfig = CellConfig | { readonly kind: 'error'; readonly message: string }

/** What rendering a checkout needs before any node boots: its recipe, an Ansible that can run it. */
export type RenderPlan =
  | {
      readonly kind: 'ready'
      readonly checkout: Extract<Checkout, { kind: 'ready' }>
      readonly tree: KubesprayTree
      readonly recipe: RenderRecipe
      readonly ansible: AnsibleTools
      /** Said once for the run: an Ansible newer than the checkout supports, and the like. */
      readonly notes: readonly string[]
    }
  | { readonly kind: 'unavailable'; readonly reason: string }

/**
 * Checks that the checkout can be rendered here before a VM boots for it: a checkout that cannot
 * (no Ansible, too old an Ansible, a layout the render does not know) makes the image's cells
 * unavailable with the reason, and never falls back to the built-in model.
 */
export async function planRender(
  checkout: Extract<Checkout, { kind: 'ready' }>,
  runAnsible: RunAnsible,
  host: Pick<HostContext, 'workDir'>,
  signal: AbortSignal
): Promise<RenderPlan> {
  const reading = checkout.reading()
  if (reading.kind === 'not-kubespray') return { kind: 'unavailable', reason: reading.reason }
  const recipe = readRenderRecipe(checkout.path)
  if (recipe.kind === 'unsupported') {
    return { kind: 'unavailable', reason: `cannot render ${checkout.description}: ${recipe.reason}` }
  }
  const ansible = await runAnsible(checkout.path, host.workDir, signal)
  if (ansible.kind === 'unavailable') {
    return { kind: 'unavailable', reason: `rendering the checkout needs Ansible: ${ansible.reason}` }
  }
  const needs = checkNeeds(readAnsibleNeeds(checkout.path), ansible.tools.versions)
  if (needs.kind === 'too-old') return { kind: 'unavailable', reason: needs.reason }
  return {
    kind: 'ready',
    checkout,
    tree: reading.tree,
    recipe: recipe.recipe,
    ansible: ansible.tools,
    notes: needs.notes
  }
}

export interface CheckoutConfigInput {
  readonly plan: Extract<RenderPlan, { kind: 'ready' }>
  readonly config: Config
  readonly host: HostContext
  readonly node: Node
  readonly facts: NodeVersions
  readonly image: ImageSpec
  readonly cells: readonly Cell[]
  readonly target: HarnessTarget
  /** The image the pull is evaluated for. */
  readonly probeImage: string
  readonly imageLogDir: string
  readonly signal: AbortSignal
}

/**
 * Every probe cell's node files and pull, rendered from the checkout's own roles by Ansible for this
 * node (see `renderCells`), then given the harness's overlays. A cell whose render failed gets the
 * error (the checkout does not configure this node), never the model.
 */
export async function checkoutConfigs(input: CheckoutConfigInput): Promise<Map<string, CheckoutConfig>> {
  const { plan, config, host } = input
  const { checkout } = plan
  const containerd = containerdVersion(input.facts.containerd)
  if (containerd === null) {
    throw new Error(
      `${input.image.name}: cannot tell containerd's version from ${JSON.stringify(input.facts.containerd)}`
    )
  }

  await prepareForKubespray(input.node, input.signal)
  const pull = checkoutPull(plan.tree)
  const harness = harnessVars(input.target, containerd)
  const cells = new Map<string, GroupVars>(
    input.cells.map(c => [c.id, { ...cellVars(c, pull, config.kubesprayVars), ...harness }])
  )
  const render = await renderCells({
    recipe: plan.recipe,
    ansible: plan.ansible,
    node: { access: input.node.access, identity: `${input.image.name} ${JSON.stringify(input.facts)}` },
    cells,
    userVars: config.kubesprayVars,
    nodeVars: harness,
    pullImage: input.probeImage,
    dir: join(host.workDir, `render-${input.image.name}`),
    logDir: input.imageLogDir,
    cacheDir: join(config.imageCache, 'renders'),
    exec: host.exec,
    log: host.log,
    ledger: host.ledger,
    signal: input.signal,
    timeoutMs: config.cellTimeoutMs
  })
  host.log.info(
    `probe: ${input.image.name}: ${checkout.description} rendered for ${cells.size} cells in ${render.seconds.toFixed(1)}s (${render.rendered} var sets by Ansible, ${render.cached} from the cache)`
  )
  writeRenderCost(input, cells.size, render)
  return harnessedConfigs(checkout.description, render.renders)
}

/** The render's cost, for the user and the bench: one file per image beside render.log. */
function writeRenderCost(
  input: CheckoutConfigInput,
  cells: number,
  render: Awaited<ReturnType<typeof renderCells>>
): void {
  const { plan } = input
  const checkout = plan.checkout
  writeFileSync(
    join(input.imageLogDir, 'render.json'),
    `${JSON.stringify(
      {
        checkout: checkout.description,
        ansible: plan.ansible.description,
        cells,
        varSets: render.rendered + render.cached,
        renderedByAnsible: render.rendered,
        fromCache: render.cached,
        seconds: Math.round(render.seconds * 10) / 10
      },
      null,
      2
    )}\n`
  )
}

/** Each cell's render with the harness's overlays, or why the checkout does not configure the node. */
function harnessedConfigs(
  description: string,
  renders: Awaited<ReturnType<typeof renderCells>>['renders']
): Map<string, CheckoutConfig> {
  const source = { kind: 'checkout' as const, description }
  const configs = new Map<string, CheckoutConfig>()
  for (const [id, rendered] of renders) {
    if (rendered.kind === 'failed') {
      configs.set(id, {
        kind: 'error',
        message: `the checkout does not render for this node: ${rendered.message}`
      })
      continue
    }
    try {
      const harnessed = applyHarness(rendered.files, rendered.pull)
      configs.set(
        id,
        configOf(source, harnessed.files, harnessed.pull, {
          rendered: rendered.files,
          overlays: harnessed.overlays,
          diff: harnessed.diff,
          evaluatedPull: rendered.pull
        })
      )
    } catch (e) {
      configs.set(id, {
        kind: 'error',
        message: `the checkout's pull command cannot be run: ${errorMessage(e)}`
      })
    }
  }
  return configs
}

/** `1.7.24~ds1-6+deb13u1` → `1.7.24`: the version kubespray's `containerd_version` compares. */
export function containerdVersion(packageVersion: string | undefined): string | null {
  const m = /^(?:\d+:)?(\d+\.\d+\.\d+)/.exec(packageVersion ?? '')
  return m === null ? null : m[1]!
}

/**
 * The node as kubespray meets it: no containerd config yet (Debian's package ships one, and a fork
 * may skip writing its own when one exists), ctr and runc where kubespray installs them (`bin_dir`,
 * which its templates and pull commands name).
 */
async function prepareForKubespray(node: Node, signal: AbortSignal): Promise<void> {
  const script = [
    'set -eu',
    'rm -f /etc/containerd/config.toml',
    'mkdir -p /usr/local/bin',
    'for t in ctr runc; do [ -e /usr/local/bin/$t ] || ln -s /usr/bin/$t /usr/local/bin/$t; done'
  ].join('\n')
  await check(nodeExecutor(node), { ...cmd('sh', '-s'), input: script }, { signal, timeoutMs: 60_000 })
}
