import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cmd, shellQuote } from '../../exec/command.js'
import { check } from '../../exec/executor.js'
import type { HostContext } from '../../host/context.js'
import type { Config } from '../../inputs/config.js'
import type { ImageSpec } from '../../images/catalogue.js'
import type { Cell } from '../../plan/cell.js'
import { nodeExecutor, type Node, type Provider } from '../../providers/provider.js'
import type { Attempt, AttemptContext, Opened, Scenario, ScenarioContext } from '../scenario.js'
import { obtainCriProtos, type CriProtoAvailability, type CriProtos } from './cri-api.js'
import { BIN_DIR } from './image-tools.js'
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
      protos ??= obtainCriProtos(env.config.imageCache, env.config.mirror, env.host)
      const cri = await protos
      if (cri.kind === 'unavailable') return cri

      const wanted = new Set(context.config.axes.tools)
      const crictl = wanted.has('crictl') ? await tool('crictl') : undefined
      const nerdctl = wanted.has('nerdctl') ? await tool('nerdctl') : undefined

      const node = await provider.boot(image, { name: `probe-${image.name}`, logDir: context.imageLogDir })
      const forward = new AbortController()
      try {
        const prepared = await prepareNode(
          node,
          image,
          cri.protos,
          { crictl, nerdctl },
          env.host,
          forward.signal
        )
        return {
          kind: 'ready',
          session: {
            run: (cell: Cell, attempt: AttemptContext): Promise<Attempt> =>
              cell.tool === 'nerdctl' && prepared.nerdctl.kind === 'unavailable'
                ? Promise.resolve(skipped(prepared.probe, prepared.nerdctl.reason))
                : runProbeCell(prepared.probe, cell, attempt),
            close: async () => {
              forward.abort()
              await prepared.forwardClosed
              await node.destroy()
            }
          }
        }
      } catch (e) {
        forward.abort()
        await node.destroy()
        throw e
      }
    }
  }
}

function skipped(probe: ProbeNode, reason: string): Attempt {
  return { verdict: { kind: 'skipped', reason }, versions: probe.facts, logs: [] }
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
      crictl
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
