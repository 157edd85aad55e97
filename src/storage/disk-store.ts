import type { ImageArtifacts } from '../images/manifest.js'

/** A disk as qemu is given it: a file and its format. */
export interface DiskSpec {
  readonly path: string
  readonly format: 'raw' | 'qcow2'
}

/** A VM's writable root disk; `release` removes it. */
export interface RootDisk extends DiskSpec {
  release(): Promise<void>
}

/**
 * Where VM root disks come from. Two variants: ZFS clones of a golden zvol when the host has ZFS
 * (GitHub's ubuntu runners), qcow2 overlays on the cached image otherwise. Either way the cached image
 * itself is never written.
 */
export interface DiskStore {
  readonly kind: 'zfs-clone' | 'qcow2-overlay'
  /** Why this store was chosen, for the log. */
  readonly reason: string
  rootDisk(image: ImageArtifacts, vmName: string): Promise<RootDisk>
  /** Removes whatever the store created for the run (the host pool, overlays). */
  close(): Promise<void>
}
