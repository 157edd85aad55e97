import type { HostContext } from '../../host/context.js'
import type { Config } from '../../inputs/config.js'
import { cellVars, checkoutPull, groupVars } from '../../kubespray/cell-vars.js'
import { NO_CHECKOUT, type Checkout } from '../../kubespray/checkout.js'
import type { KubesprayTree } from '../../kubespray/kubespray-tree.js'
import type { ImageSpec } from '../../images/catalogue.js'
import type { Cell } from '../../plan/cell.js'
import { predict } from '../lint/predict.js'
import type { Attempt, AttemptContext, ScenarioContext } from '../scenario.js'
import { modelConfig } from './cell-config.js'
import { checkoutConfigs, type CheckoutConfig, type RenderPlan } from './checkout-configs.js'
import { checkAgainstLint, checkoutCause } from './lint-check.js'
import type { Prepared } from './prepare-node.js'
import { runProbeCell } from './probe-cell.js'
import type { ProbeNode } from './probe-node.js'

/** What a probe session needs of the run. */
export interface SessionEnv {
  readonly config: Config
  readonly host: HostContext
}

/** Why the model stands in, when it is more than no checkout having been given. */
export function modelWhy(checkout: Checkout): string | undefined {
  return checkout.kind === 'none' && checkout.reason !== NO_CHECKOUT ? checkout.reason : undefined
}

export function skipped(probe: ProbeNode, reason: string): Attempt {
  return { verdict: { kind: 'skipped', reason }, versions: probe.facts, logs: [] }
}

/** Each cell's configuration: from the checkout when one is given, else the model (which says so). */
export async function configsFor(
  env: SessionEnv,
  plan: Extract<RenderPlan, { kind: 'ready' }> | null,
  image: ImageSpec,
  prepared: Prepared,
  context: ScenarioContext,
  why: string | undefined
): Promise<ReadonlyMap<string, CheckoutConfig>> {
  const { probe } = prepared
  if (plan === null) {
    const input = {
      containerd: probe.containerd,
      registry: probe.registry,
      sandboxImage: probe.sandboxImage,
      probeImage: probe.probeImage.reference
    }
    return new Map(context.cells.map(c => [c.id, modelConfig(c, input, why)]))
  }
  return checkoutConfigs({
    plan,
    config: env.config,
    host: env.host,
    node: probe.node,
    facts: probe.facts,
    image,
    cells: context.cells,
    target: { registry: probe.registry, sandboxImage: probe.sandboxImage },
    probeImage: probe.probeImage.reference,
    imageLogDir: context.imageLogDir,
    signal: context.signal
  })
}

export interface CellRunEnv {
  readonly env: SessionEnv
  readonly prepared: Prepared
  readonly configs: ReadonlyMap<string, CheckoutConfig>
  /** The checkout as lint reads it, for the lint check and a failed cell's cause; null for the model. */
  readonly tree: KubesprayTree | null
  readonly renderLogs: readonly string[]
}

export async function runCell(run: CellRunEnv, cell: Cell, attempt: AttemptContext): Promise<Attempt> {
  const { prepared } = run
  const config = run.configs.get(cell.id)
  if (config === undefined) throw new Error(`no configuration was made for ${cell.id}`)
  if (config.kind === 'error') {
    return {
      verdict: { kind: 'error', message: config.message, evidence: [] },
      versions: prepared.probe.facts,
      logs: [...run.renderLogs]
    }
  }
  if (config.pullTool === 'nerdctl' && prepared.nerdctl.kind === 'unavailable') {
    return skipped(prepared.probe, prepared.nerdctl.reason)
  }
  const { snapshotters, facts } = prepared.probe
  if (!snapshotters.some(s => s === config.criSnapshotter)) {
    return skipped(
      prepared.probe,
      `containerd ${facts.containerd ?? ''} on ${cell.image} has no ${config.criSnapshotter} snapshotter built in (it has ${snapshotters.join(', ')}): the CRI's snapshotter cannot be tested on this image`
    )
  }
  const probed = await runProbeCell(prepared.probe, config, attempt)
  if (run.tree === null) return probed.attempt
  const vars = groupVars(
    run.env.config.kubesprayVars,
    cellVars(cell, checkoutPull(run.tree), run.env.config.kubesprayVars)
  )
  const prediction = predict(run.tree, vars)
  const failed = probed.attempt.verdict.kind === 'fail'
  return {
    ...probed.attempt,
    ...(run.env.config.tiers.includes('lint')
      ? { lintCheck: checkAgainstLint(prediction, config, probed.unpacked) }
      : {}),
    ...(failed ? { cause: checkoutCause(prediction) } : {})
  }
}
