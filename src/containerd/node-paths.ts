import type { Snapshotter } from '../plan/axes.js'

/**
 * Where kubespray's nodes keep containerd's state, configs and socket: the probe writes these files,
 * doctor reads them.
 */
export const CONTAINERD_ROOT = '/var/lib/containerd'
export const CONTAINERD_CONFIG = '/etc/containerd/config.toml'
export const NERDCTL_CONFIG = '/etc/nerdctl/nerdctl.toml'
export const CONTAINERD_SOCKET = '/run/containerd/containerd.sock'

/** Each snapshotter's root under containerd's state, where its plugin looks for its filesystem. */
export function snapshotterRoot(s: Snapshotter): string {
  return `${CONTAINERD_ROOT}/io.containerd.snapshotter.v1.${s}`
}
