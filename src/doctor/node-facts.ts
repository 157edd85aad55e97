import { SNAPSHOTTERS, type Snapshotter } from '../plan/axes.js'
import {
  readContainerdConfig,
  readNerdctlConfig,
  type ConfigReading,
  type ContainerdSettings,
  type NerdctlSettings
} from './containerd-settings.js'
import { CONTAINERD_ROOT, snapshotterRoot } from '../containerd/node-paths.js'
import { KUBELET_FILES, type CheckId, type CheckOutputs } from './inspection.js'

/** A value read off the node, or why it could not be (the check's own words). */
export type Reading<T> =
  { readonly kind: 'read'; readonly value: T } | { readonly kind: 'unavailable'; readonly reason: string }

/** The filesystem a path lives on: the mount that holds it. */
export interface PathFilesystem {
  readonly path: string
  readonly mountpoint: string
  readonly fstype: string
  readonly source: string
}

export interface SnapshotterState {
  readonly root: string
  readonly filesystem: PathFilesystem | undefined
  /** The ZFS dataset mounted exactly at the root (what the zfs snapshotter needs), if any. */
  readonly dataset: string | undefined
  /** containerd's plugin status for it: ok, skip, error; undefined when not listed or not readable. */
  readonly plugin: string | undefined
  /** Snapshots in the k8s.io namespace, or why they could not be counted. */
  readonly snapshots: Reading<number>
}

export interface KubeletState {
  readonly caCrt: boolean
  readonly kubeletConf: boolean
  readonly nginxProxyManifest: boolean
  /** systemctl is-active's answer. */
  readonly service: string
  /** The nginx-proxy containers' states (CONTAINER_RUNNING, …), or why unknown. */
  readonly nginxProxy: Reading<readonly string[]>
}

export interface NodeFacts {
  readonly kernel: Reading<string>
  readonly openzfs: { readonly module: Reading<string>; readonly userland: Reading<string> }
  readonly containerdRoot: PathFilesystem | undefined
  readonly containerd: Reading<string>
  readonly containerdConfig: ConfigReading<ContainerdSettings>
  readonly nerdctlConfig: ConfigReading<NerdctlSettings>
  readonly snapshotters: Readonly<Record<Snapshotter, SnapshotterState>>
  readonly kernelLog: readonly string[]
  readonly kubelet: KubeletState
  /** The journals as read, for the signature scan. */
  readonly journals: { readonly containerd: string; readonly kubelet: string }
}

/** Turns the checks' outputs into facts; every fact says why when its check could not tell. */
export function readFacts(outputs: CheckOutputs): NodeFacts {
  const ok = (id: CheckId): Reading<string> => {
    const o = outputs.get(id)
    if (o === undefined) return { kind: 'unavailable', reason: 'not run (the session ended before it)' }
    if (o.exitCode !== 0) return { kind: 'unavailable', reason: failure(o.output, o.exitCode) }
    return { kind: 'read', value: o.output }
  }
  const text = (id: CheckId): string | undefined => {
    const r = ok(id)
    return r.kind === 'read' ? r.value : undefined
  }
  const mounts = parseMounts(text('mounts') ?? '')
  const datasets = parseDatasets(text('zfs-datasets') ?? '')
  const plugins = parsePlugins(text('plugins') ?? '')
  const snapshotters = Object.fromEntries(
    SNAPSHOTTERS.map(s => {
      const root = snapshotterRoot(s)
      const count = ok(`snapshots-${s}` as CheckId)
      const state: SnapshotterState = {
        root,
        filesystem: filesystemOf(root, mounts),
        dataset: datasets.find(d => d.mounted && d.mountpoint === root)?.name,
        plugin: plugins.get(s),
        snapshots: count.kind === 'read' ? { kind: 'read', value: countRows(count.value) } : count
      }
      return [s, state]
    })
  ) as Record<Snapshotter, SnapshotterState>
  return {
    kernel: firstLine(ok('kernel')),
    openzfs: { module: firstLine(ok('zfs-module')), userland: zfsUserland(ok('zfs-userland')) },
    containerdRoot: filesystemOf(CONTAINERD_ROOT, mounts),
    containerd: containerdVersion(ok('containerd-version')),
    containerdConfig: readContainerdConfig(fileText(outputs, 'containerd-config')),
    nerdctlConfig: readNerdctlConfig(fileText(outputs, 'nerdctl-config')),
    snapshotters,
    kernelLog: (text('kernel-log') ?? '').split('\n').filter(l => l.trim() !== ''),
    kubelet: kubeletState(outputs, text),
    journals: {
      containerd: journal(text('containerd-journal')),
      kubelet: journal(text('kubelet-journal'))
    }
  }
}

function failure(output: string, exitCode: number): string {
  const last = output.trim().split('\n').at(-1)?.trim() ?? ''
  const how = exitCode === 124 ? 'timed out' : exitCode === 127 ? 'command not found' : `exit ${exitCode}`
  return last === '' ? how : `${how}: ${last}`
}

function firstLine(r: Reading<string>): Reading<string> {
  return r.kind === 'read' ? { kind: 'read', value: r.value.trim().split('\n')[0]!.trim() } : r
}

/** `zfs version` prints `zfs-2.1.11-1` then `zfs-kmod-2.1.11-1`; the first is the tools'. */
function zfsUserland(r: Reading<string>): Reading<string> {
  if (r.kind !== 'read') return r
  const line = r.value.split('\n').find(l => /^zfs-\d/.test(l.trim()))
  return line === undefined
    ? { kind: 'unavailable', reason: `no version in ${JSON.stringify(r.value.slice(0, 80))}` }
    : { kind: 'read', value: line.trim().replace(/^zfs-/, '') }
}

/** `containerd github.com/containerd/containerd v1.7.24 <commit>` or Debian's `containerd containerd.io 1.6.20~ds1`. */
function containerdVersion(r: Reading<string>): Reading<string> {
  if (r.kind !== 'read') return r
  const m = /\bv?(\d+\.\d+\.\d+\S*)/.exec(r.value)
  return m === null
    ? { kind: 'unavailable', reason: `no version in ${JSON.stringify(r.value.slice(0, 80))}` }
    : { kind: 'read', value: m[1]! }
}

/** A config file: its text, or undefined when the node has none (cat's "No such file"). */
function fileText(outputs: CheckOutputs, id: CheckId): string | undefined {
  const o = outputs.get(id)
  return o === undefined || o.exitCode !== 0 ? undefined : o.output
}

/** findmnt -r escapes blanks and backslashes as \xNN. */
function unescapeFindmnt(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
}

interface Mount {
  readonly target: string
  readonly fstype: string
  readonly source: string
}

export function parseMounts(text: string): Mount[] {
  return text
    .split('\n')
    .map(l => l.trim().split(/\s+/))
    .filter(f => f.length >= 3 && f[0]!.startsWith('/'))
    .map(([target, fstype, source]) => ({
      target: unescapeFindmnt(target!),
      fstype: fstype!,
      source: unescapeFindmnt(source!)
    }))
}

/** The mount with the longest target that holds `path` (the last one mounted there, as the kernel resolves it). */
export function filesystemOf(path: string, mounts: readonly Mount[]): PathFilesystem | undefined {
  let best: Mount | undefined
  for (const m of mounts) {
    const holds = m.target === '/' || path === m.target || path.startsWith(`${m.target}/`)
    if (holds && (best === undefined || m.target.length >= best.target.length)) best = m
  }
  return best === undefined
    ? undefined
    : { path, mountpoint: best.target, fstype: best.fstype, source: best.source }
}

interface Dataset {
  readonly name: string
  readonly mountpoint: string
  readonly mounted: boolean
}

export function parseDatasets(text: string): Dataset[] {
  return text
    .split('\n')
    .map(l => l.split('\t'))
    .filter(f => f.length >= 3)
    .map(([name, mountpoint, mounted]) => ({
      name: name!,
      mountpoint: mountpoint!,
      mounted: mounted!.trim() === 'yes'
    }))
}

/** `ctr plugins ls`: TYPE ID PLATFORMS STATUS; the snapshotters' statuses by id. */
export function parsePlugins(text: string): Map<string, string> {
  const statuses = new Map<string, string>()
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f[0] === 'io.containerd.snapshotter.v1' && f.length >= 3) statuses.set(f[1]!, f.at(-1)!)
  }
  return statuses
}

/** Rows under a header line (ctr's tables). */
function countRows(text: string): number {
  return Math.max(0, text.split('\n').filter(l => l.trim() !== '').length - 1)
}

function journal(text: string | undefined): string {
  // journalctl's answer when the unit has logged nothing is one line, not a log.
  return text === undefined || /^-- No entries --$/m.test(text) ? '' : text
}

function kubeletState(outputs: CheckOutputs, text: (id: CheckId) => string | undefined): KubeletState {
  const files = new Set(
    (text('kubelet-files') ?? '')
      .split('\n')
      .filter(l => l.startsWith('present '))
      .map(l => l.slice('present '.length).trim())
  )
  const service = outputs.get('kubelet-service')?.output.trim().split('\n')[0] ?? 'unknown'
  return {
    caCrt: files.has(KUBELET_FILES.caCrt),
    kubeletConf: files.has(KUBELET_FILES.kubeletConf),
    nginxProxyManifest: files.has(KUBELET_FILES.nginxProxyManifest),
    service,
    nginxProxy: nginxProxyStates(outputs)
  }
}

function nginxProxyStates(outputs: CheckOutputs): Reading<readonly string[]> {
  const o = outputs.get('nginx-proxy')
  if (o === undefined) return { kind: 'unavailable', reason: 'not run' }
  if (o.exitCode !== 0) return { kind: 'unavailable', reason: failure(o.output, o.exitCode) }
  try {
    // Anything crictl warns is merged into its output: the JSON is the outermost braces.
    const json = o.output.slice(o.output.indexOf('{'), o.output.lastIndexOf('}') + 1)
    const doc = JSON.parse(json) as { containers?: { state?: string }[] }
    return { kind: 'read', value: (doc.containers ?? []).map(c => c.state ?? 'unknown') }
  } catch {
    return { kind: 'unavailable', reason: `crictl printed no JSON: ${o.output.slice(0, 80)}` }
  }
}
