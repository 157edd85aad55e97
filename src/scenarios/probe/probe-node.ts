import type { Snapshotter, Tool } from '../../plan/axes.js'
import type { Node } from '../../providers/provider.js'
import type { NodeVersions } from '../../results/cell-result.js'
import type { CriProtos } from '../../containerd/cri-api.js'
import type { ContainerdSeries } from '../../containerd/release-series.js'

/** What every cell on one node shares: set up once per image by the probe scenario. */
export interface ProbeNode {
  readonly node: Node
  readonly facts: NodeVersions
  readonly containerd: ContainerdSeries
  /** Host path of a unix socket forwarded to the node's containerd socket. */
  readonly criSocket: string
  readonly criProtos: CriProtos
  readonly probeImage: ProbeImage
  readonly sandboxImage: string
  readonly registry: string
  /** How the crictl cells pull: the real crictl, or the CRI client with the reason crictl is not used. */
  readonly crictl: { readonly kind: 'crictl' } | { readonly kind: 'cri-client'; readonly reason: string }
  /** The snapshotters this containerd has built in (Debian's containerd 2.x leaves zfs out). */
  readonly snapshotters: readonly Snapshotter[]
  /** Each tool's version line, asked once per node: its binaries stay the same from cell to cell. */
  readonly toolVersions: Map<Tool, string>
}

export interface ProbeImage {
  readonly reference: string
  /** containerd's name for the image's top snapshot: where a snapshotter holds the unpacked image. */
  readonly topChainId: string
}
