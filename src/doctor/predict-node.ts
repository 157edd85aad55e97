import type { LogDiagnosis, LogLine } from '../diagnose/scan-logs.js'
import { causalOrder } from '../diagnose/causal-order.js'
import { SIGNATURES, findSignature, type Signature, type SignatureId } from '../diagnose/signatures.js'
import { CONTAINERD_CONFIG, NERDCTL_CONFIG } from '../containerd/node-paths.js'
import { containerdSeries, type ContainerdSeries } from '../containerd/release-series.js'
import { SNAPSHOTTERS } from '../plan/axes.js'
import { DEFAULT_SNAPSHOTTER } from './containerd-settings.js'
import type { NodeFacts, Reading } from './node-facts.js'

/** A signature doctor expects this node to hit, and the facts (or log lines) that say so. */
export interface NodePrediction {
  readonly signature: Signature
  /** The node's facts behind it, each a sentence naming what was read. */
  readonly because: readonly string[]
  /** Lines of the node's own journals that show it already happened. */
  readonly evidence: readonly LogLine[]
  /** The root cause this is a consequence of (see causal-order.ts); null for a root cause. */
  readonly explainedBy: string | null
}

export interface NodeAssessment {
  /** In causal order: each root cause, then what it explains. */
  readonly predictions: readonly NodePrediction[]
  /** What doctor could not read and so could not judge, for the report. */
  readonly unknowns: readonly string[]
}

/** The snapshotters the CRI and nerdctl use on this node, with containerd's defaults filled in. */
export function snapshotterUse(facts: NodeFacts): { cri: string; nerdctl: string } {
  const c = facts.containerdConfig
  const n = facts.nerdctlConfig
  return {
    cri: c.kind === 'read' ? c.criSnapshotter : DEFAULT_SNAPSHOTTER,
    nerdctl: n.kind === 'read' ? n.snapshotter : DEFAULT_SNAPSHOTTER
  }
}

function series(r: Reading<string>): ContainerdSeries | undefined {
  return r.kind === 'read' ? containerdSeries(r.value) : undefined
}

function atLeast(s: ContainerdSeries, major: number, minor: number): boolean {
  return s.major > major || (s.major === major && s.minor >= minor)
}

/** What the checks below found so far: the signatures with their reasons, and what could not be read. */
interface Findings {
  readonly found: Map<string, string[]>
  readonly unknowns: string[]
  readonly add: (id: SignatureId, because: string) => void
}

/** The node's state as the checks read it: the snapshotters in use and where the CRI's is set. */
interface NodeView {
  readonly facts: NodeFacts
  readonly use: { cri: string; nerdctl: string }
  readonly criSource: string
}

/**
 * What a join of this node will hit, from its state and its journals. A state is named only by what
 * was read: a fact doctor could not read is listed under unknowns, never guessed either way.
 */
export function assessNode(facts: NodeFacts, logs: LogDiagnosis): NodeAssessment {
  const found = new Map<string, string[]>()
  const checks: Findings = {
    found,
    unknowns: [],
    add: (id, because) => void found.set(id, [...(found.get(id) ?? []), because])
  }
  const config = facts.containerdConfig
  if (config.kind === 'invalid')
    checks.unknowns.push(`containerd's config is not valid TOML (${config.reason})`)
  const criSource =
    config.kind === 'read'
      ? `${config.criKey} in ${CONTAINERD_CONFIG}`
      : "containerd's default (no config.toml)"
  const node: NodeView = { facts, use: snapshotterUse(facts), criSource }
  storageChecks(node, checks)
  toolChecks(node, checks)
  kubeletChecks(node, checks)
  const unknowns = checks.unknowns
  const evidence = new Map<string, readonly LogLine[]>()
  for (const f of logs.findings) {
    evidence.set(f.signature.id, f.evidence)
    if (!found.has(f.signature.id))
      found.set(f.signature.id, [`seen in the node's logs (${f.matched} line${f.matched === 1 ? '' : 's'})`])
  }
  return {
    predictions: causalOrder(SIGNATURES.filter(s => found.has(s.id))).map(({ signature, explainedBy }) => ({
      signature,
      because: found.get(signature.id)!,
      evidence: evidence.get(signature.id) ?? [],
      explainedBy
    })),
    unknowns
  }
}

/** The storage: overlayfs over ZFS by OpenZFS series; zfs needs its root on ZFS; 2.1+'s transfer unpack. */
function storageChecks({ facts, use, criSource }: NodeView, f: Findings): void {
  const { add, unknowns } = f
  const config = facts.containerdConfig
  if (use.cri === 'overlayfs') {
    const fs = facts.snapshotters.overlayfs.filesystem
    if (fs?.fstype === 'zfs') {
      const zfs = series(facts.openzfs.module) ?? series(facts.openzfs.userland)
      const where = `the CRI uses overlayfs (${criSource}) with ${fs.path} on ZFS (${fs.source})`
      if (zfs === undefined) unknowns.push(`${where}, but the OpenZFS version could not be read`)
      else {
        const because = `${where}, OpenZFS ${zfs.major}.${zfs.minor} (overlayfs needs 2.2)`
        if (!atLeast(zfs, 2, 1)) add('overlayfs-mount-einval', because)
        else if (!atLeast(zfs, 2, 2)) add('overlayfs-rename-whiteout', because)
      }
    } else if (fs === undefined) unknowns.push('the mount table could not be read')
  }
  if (use.cri === 'zfs') {
    // containerd looks up the filesystem holding the root (not a dataset mounted exactly there, which
    // is only the documented set-up): a directory inside any dataset loads the plugin, measured on 1.4.
    const z = facts.snapshotters.zfs
    if (z.filesystem !== undefined && z.filesystem.fstype !== 'zfs')
      add(
        'zfs-snapshotter-not-a-dataset',
        `the CRI uses zfs (${criSource}), but ${z.root} is on ${z.filesystem.fstype} (${z.filesystem.source}), not on ZFS`
      )
    if (z.plugin !== undefined && z.plugin !== 'ok')
      add('zfs-snapshotter-not-a-dataset', `containerd lists its zfs snapshotter plugin as ${z.plugin}`)
  }
  const version = series(facts.containerd)
  if (
    config.kind === 'read' &&
    version !== undefined &&
    atLeast(version, 2, 1) &&
    use.cri !== 'overlayfs' &&
    !config.localImagePull &&
    !config.unpackSnapshotters.includes(use.cri)
  ) {
    add(
      'cri-transfer-unpack-missing',
      `containerd ${facts.containerd.kind === 'read' ? facts.containerd.value : ''} pulls CRI images through its transfer service, whose unpack_config lists ${config.unpackSnapshotters.length === 0 ? 'no snapshotter (so overlayfs only)' : config.unpackSnapshotters.join(', ')}, not the CRI's ${use.cri}`
    )
  }
}

/** The image tools: where nerdctl unpacks, and where the k8s.io images already are. */
function toolChecks({ facts, use }: NodeView, f: Findings): void {
  const { add, unknowns } = f
  if (facts.nerdctlConfig.kind === 'read' && use.nerdctl !== use.cri) {
    const how = facts.nerdctlConfig.snapshotterSet
      ? `sets snapshotter = "${use.nerdctl}"`
      : `sets no snapshotter (nerdctl's default, ${use.nerdctl})`
    add('tool-snapshotter-mismatch', `${NERDCTL_CONFIG} ${how}, the CRI uses ${use.cri}`)
  }
  const elsewhere = SNAPSHOTTERS.filter(s => s !== use.cri).flatMap(s => {
    const n = facts.snapshotters[s].snapshots
    return n.kind === 'read' && n.value > 0 ? [`${n.value} in ${s}`] : []
  })
  const criSnapshots = facts.snapshotters[use.cri as (typeof SNAPSHOTTERS)[number]]?.snapshots
  if (criSnapshots?.kind === 'unavailable')
    unknowns.push(`which k8s.io images the CRI's ${use.cri} holds: ${criSnapshots.reason}`)
  if (elsewhere.length > 0) {
    const own = facts.snapshotters[use.cri as (typeof SNAPSHOTTERS)[number]]?.snapshots
    const ownText =
      own?.kind === 'read' ? `${own.value} in the CRI's ${use.cri}` : `the CRI's ${use.cri} not readable`
    add('tool-snapshotter-mismatch', `the k8s.io images' snapshots: ${elsewhere.join(', ')}; ${ownText}`)
  }
}

/** kubelet: what an earlier join left, and the static pod the join needs. */
function kubeletChecks({ facts }: NodeView, f: Findings): void {
  const { add, unknowns, found } = f
  const k = facts.kubelet
  if (k.kubeletConf && !k.caCrt)
    add(
      'kubelet-client-ca-missing',
      '/etc/kubernetes/kubelet.conf exists without /etc/kubernetes/ssl/ca.crt: an earlier join stopped half-way'
    )
  if (k.nginxProxyManifest) {
    const states = k.nginxProxy
    if (states.kind === 'read' && !states.value.includes('CONTAINER_RUNNING'))
      add(
        'nginx-proxy-not-running',
        `the nginx-proxy manifest is in place but its container ${states.value.length === 0 ? 'was never created' : `is ${states.value.join(', ')}`}`
      )
    if (states.kind === 'unavailable') unknowns.push(`whether nginx-proxy runs: ${states.reason}`)
  }
  // A node whose CRI cannot run or pull containers cannot start nginx-proxy when it joins.
  const blocking = ['overlayfs-mount-einval', 'zfs-snapshotter-not-a-dataset', 'cri-transfer-unpack-missing']
  const blocker = blocking.find(id => found.has(id))
  if (blocker !== undefined && !k.kubeletConf) {
    add(
      'nginx-proxy-not-running',
      `a join will start nginx-proxy through a CRI that cannot (${findSignature(blocker)!.code})`
    )
    add(
      'apiserver-localhost-refused',
      'kubeadm join reaches the apiserver through nginx-proxy on 127.0.0.1:6443'
    )
  }
}
