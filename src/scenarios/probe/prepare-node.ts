import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cmd, shellQuote } from '../../exec/command.js'
import { check } from '../../exec/executor.js'
import type { HostContext } from '../../host/context.js'
import { MAX_SOCKET_PATH } from '../../host/unix-socket.js'
import type { ImageSpec } from '../../images/catalogue.js'
import type { PinnedName } from '../../kubespray/render/pins.js'
import { SNAPSHOTTERS, type Snapshotter } from '../../plan/axes.js'
import { nodeExecutor, type Node } from '../../providers/provider.js'
import type { NodeVersions } from '../../results/cell-result.js'
import type { CriProtos } from '../../containerd/cri-api.js'
import { BIN_DIR } from './image-tools.js'
import { CONTAINERD_SOCKET } from '../../containerd/node-paths.js'
import { containerdSeries, type ContainerdSeries } from '../../containerd/release-series.js'
import { installPinned, type Binaries, type PinnedFile } from './pinned-binaries.js'
import type { ProbeNode } from './probe-node.js'
import {
  REGISTRY_ADDRESS,
  imageReference,
  registryConfig,
  registryStorageTree,
  writeTree
} from '../../containerd/registry-layout.js'
import { buildTestImages } from '../../containerd/test-image.js'
import type { ToolAvailability } from '../../containerd/tool-archives.js'

const REGISTRY_DIR = '/var/lib/zjm-registry'
const REGISTRY_CONFIG = '/etc/zjm/registry.yml'

export interface Prepared {
  readonly probe: ProbeNode
  readonly nerdctl: ToolAvailability
  readonly forwardClosed: Promise<void>
}

/** Reads the node's versions, seeds and starts its registry, installs the tools, forwards the CRI. */
export async function prepareNode(
  node: Node,
  image: ImageSpec,
  criProtos: CriProtos,
  tools: { crictl?: ToolAvailability; nerdctl?: ToolAvailability },
  binaries: Exclude<Binaries, { kind: 'unavailable' }>,
  host: HostContext,
  forwardSignal: AbortSignal
): Promise<Prepared> {
  const facts =
    binaries.kind === 'pinned' ? await pinnedFacts(node, binaries.files, forwardSignal) : await node.facts()
  const containerd = containerdSeries(facts.containerd ?? '')
  if (containerd === undefined) {
    throw new Error(
      `${image.name}: cannot tell containerd's version from ${JSON.stringify(facts.containerd)}`
    )
  }
  const scratch = join(host.workDir, `probe-${image.name}`)
  mkdirSync(scratch, { recursive: true })

  const images = await startTestRegistry(node, scratch, host)
  const snapshotters = await builtinSnapshotters(node)
  const pinned = binaries.kind === 'pinned' ? binaries.files : null
  const crictl: ProbeNode['crictl'] =
    pinned === null ? await installCrictl(node, tools.crictl, containerd) : { kind: 'crictl' }
  const nerdctl: ToolAvailability =
    pinned === null
      ? (tools.nerdctl ?? { kind: 'unavailable' as const, reason: 'nerdctl is not among the tools' })
      : { kind: 'ready', path: pinned.nerdctl.path, version: pinned.nerdctl.pin.version }
  if (pinned === null && nerdctl.kind === 'ready') await copyTool(node, 'nerdctl', nerdctl.path)

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
      snapshotters,
      toolVersions: new Map()
    },
    nerdctl,
    forwardClosed: forward.closed.then(() => socket.release())
  }
}

/**
 * Builds the test images from the node's own busybox-static, writes them as the registry's storage,
 * starts Debian's docker-registry on the node's loopback and checks it serves the probe image.
 */
export async function startTestRegistry(node: Node, scratch: string, host: HostContext) {
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

/** Installs the checkout's pins on the node; its versions are then theirs. */
async function pinnedFacts(
  node: Node,
  files: Readonly<Record<PinnedName, Extract<PinnedFile, { kind: 'ready' }>>>,
  signal: AbortSignal
): Promise<NodeVersions> {
  const line = await installPinned(node, files, signal)
  const facts = await node.facts()
  return {
    ...facts,
    containerd: `${files.containerd.pin.version} (the checkout's pin: ${line})`,
    runc: `${files.runc.pin.version} (the checkout's pin)`
  }
}

/**
 * The snapshotters compiled into the node's containerd, from its default config (from 1.5 on, every
 * built-in snapshotter has a section there; containerd needs not run). A snapshotter skipped at start for its
 * directory is still listed: that is the Z3 failure, for the cell to find.
 */
async function builtinSnapshotters(node: Node): Promise<Snapshotter[]> {
  const r = await check(nodeExecutor(node), cmd('containerd', 'config', 'default'), { timeoutMs: 60_000 })
  const listed = SNAPSHOTTERS.filter(s => r.stdout.includes(`io.containerd.snapshotter.v1.${s}`))
  // containerd before 1.5 lists no snapshotter in its default config: that says nothing about which are
  // built in, so none is ruled out (and a missing one shows when containerd starts with the cell's config).
  return listed.length === 0 ? [...SNAPSHOTTERS] : listed
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
