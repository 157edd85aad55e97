/**
 * Node images the action knows how to build. Versions here are what the Debian suites shipped when
 * these images were first built and checked; the report shows the versions read inside the guest, and
 * falls back to these only to label a row whose cells never booted.
 */
export interface ImageSpec {
  readonly name: string
  readonly suite: 'bullseye' | 'bookworm' | 'trixie'
  /** Where zfs-dkms comes from: the suite's contrib, or bookworm-backports' contrib. */
  readonly zfsSource: 'contrib' | 'backports'
  /**
   * Where containerd comes from when not from the suite: `unstable`, pinned below the suite so nothing
   * else is taken from it (Debian's only containerd 2.x).
   */
  readonly containerdRelease?: 'unstable'
  /**
   * An image of the same suite, kernel and OpenZFS this one is made from, by installing only what its
   * recipe changes: the zfs module is not compiled twice for one kernel and source.
   */
  readonly derivedFrom?: string
  readonly expected: { readonly kernelSeries: string; readonly openzfsSeries: string }
  /**
   * A cold build of this image measured on 2 cores under TCG (bench/images.json): what a first run is
   * told to expect before this machine has built it once.
   */
  readonly measuredBuildSeconds: number
  readonly description: string
}

export const IMAGES: readonly ImageSpec[] = [
  {
    name: 'debian-11',
    suite: 'bullseye',
    zfsSource: 'contrib',
    expected: { kernelSeries: '5.10', openzfsSeries: '2.0' },
    measuredBuildSeconds: 256,
    description: 'Debian 11, kernel 5.10, OpenZFS 2.0: overlayfs cannot mount on ZFS (no RENAME_WHITEOUT)'
  },
  {
    name: 'debian-12',
    suite: 'bookworm',
    zfsSource: 'contrib',
    expected: { kernelSeries: '6.1', openzfsSeries: '2.1' },
    measuredBuildSeconds: 291,
    description: 'Debian 12, kernel 6.1, OpenZFS 2.1: overlayfs mounts, renaming a lower-layer file fails'
  },
  {
    name: 'debian-12-zfs23',
    suite: 'bookworm',
    zfsSource: 'backports',
    expected: { kernelSeries: '6.1', openzfsSeries: '2.3' },
    measuredBuildSeconds: 385,
    description: 'Debian 12 kernel with OpenZFS 2.3 from bookworm-backports: overlayfs works'
  },
  {
    name: 'debian-13',
    suite: 'trixie',
    zfsSource: 'contrib',
    expected: { kernelSeries: '6.12', openzfsSeries: '2.3' },
    measuredBuildSeconds: 362,
    description: 'Debian 13, kernel 6.12, OpenZFS 2.3: overlayfs works'
  },
  {
    name: 'debian-13-containerd2',
    suite: 'trixie',
    zfsSource: 'contrib',
    containerdRelease: 'unstable',
    derivedFrom: 'debian-13',
    expected: { kernelSeries: '6.12', openzfsSeries: '2.3' },
    measuredBuildSeconds: 19,
    description:
      "Debian 13 with unstable's containerd 2.x: the CRI config version 3 kubespray master renders for its own containerd"
  }
]

export const IMAGE_NAMES: readonly string[] = IMAGES.map(i => i.name)

export function findImage(name: string): ImageSpec | undefined {
  return IMAGES.find(i => i.name === name)
}
