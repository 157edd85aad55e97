import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { HostContext } from '../../host/context.js'
import type { Config } from '../../inputs/config.js'
import type { ImageSpec } from '../../images/catalogue.js'
import type { Checkout } from '../../kubespray/checkout.js'
import type { Cell } from '../../plan/cell.js'
import type { Provider } from '../../providers/provider.js'
import type { RunAnsible } from '../run-ansible.js'
import type { AttemptContext, Opened, Scenario, ScenarioContext } from '../scenario.js'
import { planRender, type RenderPlan } from './checkout-configs.js'
import { obtainCriProtos, type CriProtoAvailability } from '../../containerd/cri-api.js'
import { obtainCheckoutBinaries, type Binaries } from './pinned-binaries.js'
import { prepareNode, type Prepared } from './prepare-node.js'
import { configsFor, modelWhy, runCell, type CellRunEnv } from './probe-session.js'
import {
  TOOL_RELEASES,
  obtainTool,
  type DownloadedTool,
  type ToolAvailability
} from '../../containerd/tool-archives.js'

export interface ProbeEnv {
  readonly config: Config
  readonly host: HostContext
  /** The run's node provider, made on first use (a lint-only run never makes one). */
  readonly provider: () => Promise<Provider>
  /** The checkout whose templates and pulls configure every cell; without one, the built-in model. */
  readonly kubespray: () => Promise<Checkout>
  readonly ansible: RunAnsible
}

/** What every image of a run shares, each fetched or made once, on first use. */
interface RunShared {
  readonly plan: (checkout: ReadyCheckout, context: ScenarioContext) => Promise<RenderPlan>
  readonly binariesFor: (render: ReadyRender | null) => Promise<Binaries>
  readonly tool: (name: DownloadedTool) => Promise<ToolAvailability>
  readonly protos: () => Promise<CriProtoAvailability>
}

type ReadyCheckout = Extract<Checkout, { kind: 'ready' }>
type ReadyRender = Extract<RenderPlan, { kind: 'ready' }>

/** All an image's probe session needs before its VM boots; or why the tier cannot run. */
type Prerequisites =
  | {
      readonly kind: 'ready'
      readonly provider: Provider
      readonly checkout: Exclude<Checkout, { kind: 'unavailable' }>
      readonly render: ReadyRender | null
      readonly binaries: Exclude<Binaries, { kind: 'unavailable' }>
      readonly protos: Extract<CriProtoAvailability, { kind: 'ready' }>['protos']
      readonly tools: Parameters<typeof prepareNode>[3]
    }
  | { readonly kind: 'unavailable'; readonly reason: string }

/**
 * The probe tier: one VM per image, every cell of the image on it in turn with containerd's state reset
 * in between. What the cells share (the tools, the CRI definition, the test registry) is set up once.
 */
export function probeScenario(env: ProbeEnv): Scenario {
  const shared = runShared(env)
  return {
    tier: 'probe',
    async open(image: ImageSpec, context: ScenarioContext): Promise<Opened> {
      const ready = await prerequisites(env, shared, context)
      if (ready.kind === 'unavailable') return ready
      return openSession(env, image, context, ready)
    }
  }
}

function runShared(env: ProbeEnv): RunShared {
  const tools = new Map<DownloadedTool, Promise<ToolAvailability>>()
  let protos: Promise<CriProtoAvailability> | undefined
  // The checkout's render plan is made once per run (and its notes said once), before any VM boots.
  let planned: Promise<RenderPlan> | undefined
  // `probe-binaries: checkout`: the checkout's pinned containerd, runc, nerdctl and crictl, read and
  // fetched once per run, before any VM boots.
  let pinned: Promise<Binaries> | undefined
  return {
    plan: (checkout, context) =>
      (planned ??= planRender(checkout, env.ansible, env.host, context.signal).then(p => {
        if (p.kind === 'ready') for (const note of p.notes) env.host.log.warning(`probe: ${note}`)
        return p
      })),
    binariesFor: render => {
      if (env.config.probeBinaries === 'debian') return Promise.resolve({ kind: 'image' })
      if (render === null) {
        return Promise.resolve({
          kind: 'unavailable',
          reason:
            'probe-binaries: checkout needs a kubespray checkout to read the pins from (set kubespray-path)'
        })
      }
      return (pinned ??= obtainCheckoutBinaries(env, render))
    },
    tool: name => {
      let found = tools.get(name)
      if (found === undefined) {
        found = obtainTool(TOOL_RELEASES[name], {
          cacheDir: env.config.imageCache,
          exec: env.host.exec,
          signal: env.host.signal
        }).then(a => {
          if (a.kind === 'unavailable') env.host.log.warning(`probe: ${a.reason}`)
          return a
        })
        tools.set(name, found)
      }
      return found
    },
    protos: () => (protos ??= obtainCriProtos(env.config.imageCache, env.config.mirror, env.host))
  }
}

async function prerequisites(
  env: ProbeEnv,
  shared: RunShared,
  context: ScenarioContext
): Promise<Prerequisites> {
  const provider = await env.provider()
  const unavailable = await provider.unavailableReason()
  if (unavailable !== null) return { kind: 'unavailable', reason: unavailable }
  const checkout = await env.kubespray()
  // A checkout that was given but cannot be read is never replaced by the model.
  if (checkout.kind === 'unavailable') return { kind: 'unavailable', reason: checkout.reason }
  const render = checkout.kind === 'ready' ? await shared.plan(checkout, context) : null
  if (render?.kind === 'unavailable') return render
  const binaries = await shared.binariesFor(render)
  if (binaries.kind === 'unavailable') return binaries
  const cri = await shared.protos()
  if (cri.kind === 'unavailable') return cri
  // The checkout's pinned nerdctl and crictl come with its containerd; else kubespray master's pins.
  const wanted = new Set(context.config.axes.tools)
  const own = binaries.kind === 'image'
  const crictl = own && wanted.has('crictl') ? await shared.tool('crictl') : undefined
  const nerdctl =
    own && (wanted.has('nerdctl') || checkout.kind === 'ready') ? await shared.tool('nerdctl') : undefined
  return {
    kind: 'ready',
    provider,
    checkout,
    render,
    binaries,
    protos: cri.protos,
    tools: { crictl, nerdctl }
  }
}

/** Boots the image's VM and prepares it; the session runs each cell on it and destroys it at the end. */
async function openSession(
  env: ProbeEnv,
  image: ImageSpec,
  context: ScenarioContext,
  ready: Extract<Prerequisites, { kind: 'ready' }>
): Promise<Opened> {
  const { checkout, render } = ready
  const node = await ready.provider.boot(image, { name: `probe-${image.name}`, logDir: context.imageLogDir })
  const forward = new AbortController()
  let prepared: Prepared | undefined
  const close = async () => {
    forward.abort()
    await prepared?.forwardClosed
    await node.destroy()
  }
  try {
    prepared = await prepareNode(
      node,
      image,
      ready.protos,
      ready.tools,
      ready.binaries,
      env.host,
      forward.signal
    )
    const run: CellRunEnv = {
      env,
      prepared,
      configs: await configsFor(env, render, image, prepared, context, modelWhy(checkout)),
      tree: render?.tree ?? null,
      renderLogs: ['render-facts.log', 'render.log']
        .map(f => join(context.imageLogDir, f))
        .filter(f => existsSync(f))
    }
    return {
      kind: 'ready',
      session: {
        run: (cell: Cell, attempt: AttemptContext) => runCell(run, cell, attempt),
        health: () => node.health(),
        close
      }
    }
  } catch (e) {
    await close()
    throw e
  }
}
