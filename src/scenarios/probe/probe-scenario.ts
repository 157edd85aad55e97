import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cmd, shellQuote } from '../../exec/command.js'
import { check } from '../../exec/executor.js'
import type { HostContext } from '../../host/context.js'
import type { Config } from '../../inputs/config.js'
import type { ImageSpec } from '../../images/catalogue.js'
import { cellVars, checkoutPull, groupVars } from '../../kubespray/cell-vars.js'
import { NO_CHECKOUT, type Checkout } from '../../kubespray/checkout.js'
import type { KubesprayTree } from '../../kubespray/kubespray-tree.js'
import { SNAPSHOTTERS, type Snapshotter } from '../../plan/axes.js'
import type { Cell } from '../../plan/cell.js'
import { nodeExecutor, type Node, type Provider } from '../../providers/provider.js'
import { predict } from '../lint/predict.js'
import type { RunAnsible } from '../run-ansible.js'
import type { Attempt, AttemptContext, Opened, Scenario, ScenarioContext } from '../scenario.js'
import { modelConfig } from './cell-config.js'
import { checkoutConfigs, planRender, type CheckoutConfig, type RenderPlan } from './checkout-configs.js'
import { obtainCriProtos, type CriProtoAvailability, type CriProtos } from './cri-api.js'
import { BIN_DIR } from './image-tools.js'
import { checkAgainstLint, checkoutCause } from './lint-check.js'
import { containerdSeries, type ContainerdSeries } from './node-config.js'
import { runProbeCell, type ProbeNode } from './probe-cell.js'
import {
  REGISTRY_ADDRESS,
  imageReference,
  registryConfig,
  registryStorageTree,
  writeTree
} from './registry-layout.js'
import { buildTestImages } from './test-image.js'
import { TOOL_RELEASES, obtainTool, type DownloadedTool, type ToolAvailability } from './tool-archives.js'

export interface ProbeEnv {
  readonly config: Config
  readonly host: HostContext
  /** The run's node provider, made on first use (a lint-only run never makes one). */
  readonly provider: () => Promise<Provider>
  /** The checkout whose templates and pulls configure every cell; without one, the built-in model. */
  readonly kubespray: () => Promise<Checkout>
  readonly ansible: RunAnsible
}

const REGISTRY_DIR = '/var/lib/zjm-registry'
const REGISTRY_CONFIG = '/etc/zjm/registry.yml'
const CONTAINERD_SOCKET = '/run/containerd/containerd.sock'
/** sun_path holds 108 bytes; a forwarded socket deeper than this goes to a short temp dir instead. */
const MAX_SOCKET_PATH = 100

/**
 * The probe tier: one VM per image, every cell of the image on it in turn with containerd's state reset
 * in between. What the cells share (the tools, the CRI definition, the test registry) is set up once.
 */
export function probeScenario(env: ProbeEnv): Scenario {
  const tools = new Map<DownloadedTool, Promise<ToolAvailability>>()
  let protos: Promise<CriProtoAvailability> | undefined
  // The checkout's render plan is made once per run (and its notes said once), before any VM boots.
  let planned: Promise<RenderPlan> | undefined
  const plan = (checkout: Extract<Checkout, { kind: 'ready' }>, context: ScenarioContext) =>
    (planned ??= planRender(checkout, env.ansible, env.host, context.signal).then(p => {
      if (p.kind === 'ready') for (const note of p.notes) env.host.log.warning(`probe: ${note}`)
      return p
    }))
  const tool = (name: DownloadedTool): Promise<ToolAvailability> => {
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
  }

  return {
    tier: 'probe',
    async open(image: ImageSpec, context: ScenarioContext): Promise<Opened> {
      const provider = await env.provider()
      const unavailable = await provider.unavailableReason()
      if (unavailable !== null) return { kind: 'unavailable', reason: unavailable }
      const checkout = await env.kubespray()
      // A checkout that was given but cannot be read is never replaced by the model.
      if (checkout.kind === 'unavailable') return { kind: 'unavailable', reason: checkout.reason }
      const render = checkout.kind === 'ready' ? await plan(checkout, context) : null
      if (render?.kind === 'unavailable') return render
      protos ??= obtainCriProtos(env.config.imageCache, env.config.mirror, env.host)
      const cri = await protos
      if (cri.kind === 'unavailable') return cri

      const wanted = new Set(context.config.axes.tools)
      const crictl = wanted.has('crictl') ? await tool('crictl') : undefined
      const nerdctl = wanted.has('nerdctl') || checkout.kind === 'ready' ? await tool('nerdctl') : undefined

      const node = await provider.boot(image, { name: `probe-${image.name}`, logDir: context.imageLogDir })
      const forward = new AbortController()
      let prepared: Prepared | undefined
      const close = async () => {
        forward.abort()
        await prepared?.forwardClosed
        await node.destroy()
      }
      try {
        prepared = await prepareNode(node, image, cri.protos, { crictl, nerdctl }, env.host, forward.signal)
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
          session: { run: (cell: Cell, attempt: AttemptContext) => runCell(run, cell, attempt), close }
        }
      } catch (e) {
        await close()
        throw e
      }
    }
  }
}

/** Why the model stands in, when it is more than no checkout having been given. */
function modelWhy(checkout: Checkout): string | undefined {
  return checkout.kind === 'none' && checkout.reason !== NO_CHECKOUT ? checkout.reason : undefined
}

function skipped(probe: ProbeNode, reason: string): Attempt {
  return { verdict: { kind: 'skipped', reason }, versions: probe.facts, logs: [] }
}

/** Each cell's configuration: from the checkout when one is given, else the model (which says so). */
async function configsFor(
  env: ProbeEnv,
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

interface CellRunEnv {
  readonly env: ProbeEnv
  readonly prepared: Prepared
  readonly configs: ReadonlyMap<string, CheckoutConfig>
  /** The checkout as lint reads it, for the lint check and a failed cell's cause; null for the model. */
  readonly tree: KubesprayTree | null
  readonly renderLogs: readonly string[]
}

async function runCell(run: CellRunEnv, cell: Cell, attempt: AttemptContext): Promise<Attempt> {
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

interface Prepared {
  readonly probe: ProbeNode
  readonly nerdctl: ToolAvailability
  readonly forwardClosed: Promise<void>
}

/** Reads the node's versions, seeds and starts its registry, installs the tools, forwards the CRI. */
async function prepareNode(
  node: Node,
  image: ImageSpec,
  criProtos: CriProtos,
  tools: { crictl?: ToolAvailability; nerdctl?: ToolAvailability },
  host: HostContext,
  forwardSignal: AbortSignal
): Promise<Prepared> {
  const facts = await node.facts()
  const containerd = containerdSeries(facts.containerd ?? '')
  if (containerd === undefined) {
    throw new Error(
      `${image.name}: cannot tell containerd's version from ${JSON.stringify(facts.containerd)}`
    )
  }
  const scratch = join(host.workDir, `probe-${image.name}`)
  mkdirSync(scratch, { recursive: true })

  const images = await startRegistry(node, scratch, host)
  const crictl = await installCrictl(node, tools.crictl, containerd)
  const snapshotters = await builtinSnapshotters(node)
  const nerdctl = tools.nerdctl ?? { kind: 'unavailable' as const, reason: 'nerdctl is not among the tools' }
  if (nerdctl.kind === 'ready') await copyTool(node, 'nerdctl', nerdctl.path)

  const socket = socketPath(scratch, image.name, host)
  const forward = await node
    .forwardUnixSocket(CONTAINERD_SOCKET, socket.path, forwardSignal)
    .catch((e: unknown) => {
      socket.release()
      throw e
    })
  return {
    probe: {
      node,
      facts,
      containerd,
      criSocket: socket.path,
      criProtos,
      probeImage: { reference: imageReference(images.probe), topChainId: images.probe.chainIds.at(-1)! },
      sandboxImage: imageReference(images.pause),
      registry: REGISTRY_ADDRESS,
      crictl,
      snapshotters
    },
    nerdctl,
    forwardClosed: forward.closed.then(() => socket.release())
  }
}

/**
 * Builds the test images from the node's own busybox-static, writes them as the registry's storage,
 * starts Debian's docker-registry on the node's loopback and checks it serves the probe image.
 */
async function startRegistry(node: Node, scratch: string, host: HostContext) {
  const busybox = join(scratch, 'busybox')
  await node.copyOut('/bin/busybox', busybox)
  const images = buildTestImages(readFileSync(busybox))
  // The registry's storage and its config travel in one archive: one copy to the node.
  const staged = join(scratch, 'registry')
  writeTree(join(staged, 'storage'), registryStorageTree([images.probe, images.pause]))
  writeFileSync(join(staged, 'registry.yml'), registryConfig(REGISTRY_DIR))
  const archive = join(scratch, 'registry.tar')
  await check(host.exec, cmd('tar', '-C', staged, '-cf', archive, '.'))
  await node.copyIn(archive, '/tmp/zjm-registry.tar')
  const manifest = `http://${REGISTRY_ADDRESS}/v2/${images.probe.repository}/manifests/${images.probe.tag}`
  const script = [
    'set -eu',
    `rm -rf ${REGISTRY_DIR} && mkdir -p ${REGISTRY_DIR} /etc/zjm`,
    'rm -rf /tmp/zjm-registry && mkdir /tmp/zjm-registry',
    'tar -C /tmp/zjm-registry -xf /tmp/zjm-registry.tar && rm -f /tmp/zjm-registry.tar',
    `mv /tmp/zjm-registry/storage/* ${REGISTRY_DIR}/ && mv /tmp/zjm-registry/registry.yml ${REGISTRY_CONFIG}`,
    'rm -rf /tmp/zjm-registry',
    `systemd-run --unit=zjm-registry --property=Restart=on-failure /usr/bin/docker-registry serve ${REGISTRY_CONFIG} >/dev/null`,
    `i=0; until busybox wget -q -O /dev/null http://${REGISTRY_ADDRESS}/v2/; do i=$((i+1)); [ $i -lt 100 ] || { journalctl -u zjm-registry -n 30 --no-pager >&2; exit 1; }; sleep 0.2; done`,
    `busybox wget -q -O - --header ${shellQuote(`Accept: ${images.probe.manifest.mediaType}`)} ${manifest} | grep -q schemaVersion`
  ].join('\n')
  await check(nodeExecutor(node), { ...cmd('sh', '-s'), input: script }, { timeoutMs: 120_000 })
  return images
}

/**
 * The snapshotters compiled into the node's containerd, from its default config (every built-in
 * snapshotter has a section there; containerd needs not run). A snapshotter skipped at start for its
 * directory is still listed: that is the Z3 failure, for the cell to find.
 */
async function builtinSnapshotters(node: Node): Promise<Snapshotter[]> {
  const r = await check(nodeExecutor(node), cmd('containerd', 'config', 'default'), { timeoutMs: 60_000 })
  return SNAPSHOTTERS.filter(s => r.stdout.includes(`io.containerd.snapshotter.v1.${s}`))
}

/**
 * Installs crictl when it was obtained and can talk to this containerd; otherwise says why the crictl
 * cells use the CRI client (which makes the same CRI calls) instead.
 */
async function installCrictl(
  node: Node,
  availability: ToolAvailability | undefined,
  containerd: ContainerdSeries
): Promise<ProbeNode['crictl']> {
  if (availability === undefined) return { kind: 'cri-client', reason: 'crictl is not among the tools' }
  if (availability.kind === 'unavailable') return { kind: 'cri-client', reason: availability.reason }
  if (containerd.major === 1 && containerd.minor < 5) {
    return {
      kind: 'cri-client',
      reason: `crictl ${availability.version} speaks only CRI runtime.v1, containerd ${containerd.major}.${containerd.minor} serves runtime.v1alpha2`
    }
  }
  await copyTool(node, 'crictl', availability.path)
  return { kind: 'crictl' }
}

async function copyTool(node: Node, name: string, path: string): Promise<void> {
  await node.copyIn(path, `${BIN_DIR}/${name}`)
  await check(nodeExecutor(node), cmd('chmod', '0755', `${BIN_DIR}/${name}`))
}

/** Where the forwarded CRI socket goes, and how to remove what was made for it. */
function socketPath(scratch: string, image: string, host: HostContext): { path: string; release(): void } {
  const inScratch = join(scratch, 'cri.sock')
  if (inScratch.length <= MAX_SOCKET_PATH) return { path: inScratch, release: () => undefined }
  const dir = mkdtempSync(join(tmpdir(), 'zjm-'))
  const resource = { kind: 'dir' as const, path: dir }
  host.ledger.add(resource)
  return {
    path: join(dir, `${image}.sock`),
    release: () => {
      rmSync(dir, { recursive: true, force: true })
      host.ledger.remove(resource)
    }
  }
}
