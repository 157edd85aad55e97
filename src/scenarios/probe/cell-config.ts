import { posix } from 'node:path'
import { shellLine, type Command } from '../../exec/command.js'
import { commandTool } from '../../kubespray/kubespray-tree.js'
import type { Tool } from '../../plan/axes.js'
import type { Cell } from '../../plan/cell.js'
import type { Overlay } from './harness.js'
import { pullCommand } from './image-tools.js'
import { CONTAINERD_CONFIG, NERDCTL_CONFIG } from '../../containerd/node-paths.js'
import type { ContainerdSeries } from '../../containerd/release-series.js'
import { renderNodeFiles, type NodeFile } from './node-config.js'
import { readToml, valueAt } from '../../containerd/toml-edit.js'

/** The kubespray release the built-in model follows (its templates and pulls). */
export const MODEL_RELEASE = 'v2.31.0'

/** Where a cell's node configuration came from. */
export type ConfigSource =
  | { readonly kind: 'checkout'; readonly description: string }
  /** `why`: the checkout's absence in words, when it is more than none having been given. */
  | { readonly kind: 'model'; readonly release: string; readonly why?: string }

export function sourceText(source: ConfigSource): string {
  if (source.kind === 'checkout') return `kubespray checkout ${source.description}, rendered by Ansible`
  const why = source.why === undefined ? 'no checkout given' : `no checkout (${source.why})`
  return `kubespray model: upstream templates as of ${source.release}; ${why}`
}

/** How the probe configures a cell's node and pulls on it. */
export interface CellConfig {
  readonly kind: 'config'
  readonly source: ConfigSource
  /** What the node gets (rendered, with the harness's overlays). */
  readonly files: readonly NodeFile[]
  /** The pull as the node runs it, image included. */
  readonly pull: Command
  /** The tool that pull runs (ctr, nerdctl or crictl), whatever the cell's tool axis says. */
  readonly pullTool: Tool | null
  /** The snapshotter containerd's CRI section gives kubelet and crictl. */
  readonly criSnapshotter: string
  /** The snapshotter nerdctl.toml gives nerdctl (nerdctl's default when it sets none). */
  readonly nerdctlSnapshotter: string
  /** Kept in the cell's log folder: the files as rendered, the overlays and the evaluated pull. */
  readonly record: ConfigRecord
}

export interface ConfigRecord {
  readonly rendered: readonly NodeFile[]
  readonly overlays: readonly Overlay[]
  readonly diff: string
  /** The pull line as the checkout evaluated it, before any overlay. */
  readonly evaluatedPull: string
}

/** containerd's and nerdctl's own default when nothing names a snapshotter. */
const DEFAULT_SNAPSHOTTER = 'overlayfs'

export interface ModelInput {
  readonly containerd: ContainerdSeries
  readonly registry: string
  readonly sandboxImage: string
  readonly probeImage: string
}

/** The built-in model of upstream kubespray: used only when no checkout is given. */
export function modelConfig(cell: Cell, input: ModelInput, why?: string): CellConfig {
  const files = renderNodeFiles({ ...input, snapshotter: cell.snapshotter, variant: cell.variant })
  const pull = pullCommand(cell, input.probeImage)
  const source = { kind: 'model' as const, release: MODEL_RELEASE, ...(why === undefined ? {} : { why }) }
  return configOf(source, files, pull, {
    rendered: files,
    overlays: [],
    diff: '',
    evaluatedPull: shellLine(pull)
  })
}

export function configOf(
  source: ConfigSource,
  files: readonly NodeFile[],
  pull: Command,
  record: ConfigRecord
): CellConfig {
  return {
    kind: 'config',
    source,
    files,
    pull,
    pullTool: commandTool(`${posix.basename(pull.program)} ${pull.args.join(' ')}`),
    criSnapshotter: criSnapshotter(files),
    nerdctlSnapshotter: nerdctlSnapshotter(files),
    record
  }
}

/**
 * The CRI's snapshotter as containerd reads it from the file: `io.containerd.cri.v1.images` (config
 * version 3), `io.containerd.grpc.v1.cri`'s containerd table (version 2) or `cri`'s (version 1).
 */
export function criSnapshotter(files: readonly NodeFile[]): string {
  const config = files.find(f => f.path === CONTAINERD_CONFIG)
  if (config === undefined) return DEFAULT_SNAPSHOTTER
  const toml = readToml(config.content)
  if (toml.kind === 'invalid') return DEFAULT_SNAPSHOTTER
  for (const path of [
    ['plugins', 'io.containerd.cri.v1.images', 'snapshotter'],
    ['plugins', 'io.containerd.grpc.v1.cri', 'containerd', 'snapshotter'],
    ['plugins', 'cri', 'containerd', 'snapshotter']
  ]) {
    const value = valueAt(toml.value, path)
    if (typeof value === 'string') return value
  }
  return DEFAULT_SNAPSHOTTER
}

export function nerdctlSnapshotter(files: readonly NodeFile[]): string {
  const config = files.find(f => f.path === NERDCTL_CONFIG)
  if (config === undefined) return DEFAULT_SNAPSHOTTER
  const toml = readToml(config.content)
  const value = toml.kind === 'toml' ? toml.value.snapshotter : undefined
  return typeof value === 'string' ? value : DEFAULT_SNAPSHOTTER
}
