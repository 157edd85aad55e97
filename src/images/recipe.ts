import type { ImageSpec } from './catalogue.js'

/** What goes into a node image, derived from its catalogue entry. Pure data: the builder executes it. */
export interface ImageRecipe {
  readonly suite: string
  /** Lines of /etc/apt/sources.list inside the image. */
  readonly sources: readonly string[]
  /** Installed by debootstrap itself. */
  readonly bootstrapPackages: readonly string[]
  /** Installed from the suite before OpenZFS. */
  readonly packages: readonly string[]
  /** OpenZFS, DKMS-compiled for the image's kernel during install. */
  readonly zfs: { readonly packages: readonly string[]; readonly release: string }
  /** Packages whose versions make up the cache key and the manifest, with the release each comes from. */
  readonly tracked: readonly { readonly name: string; readonly release: string }[]
  /** /etc/apt/preferences.d/zjm inside the image, when a second release must not win by default. */
  readonly preferences?: string
}

export const DEFAULT_MIRROR = 'http://deb.debian.org/debian'

const BOOTSTRAP = ['systemd-sysv', 'udev', 'kmod', 'e2fsprogs', 'iproute2', 'procps', 'ca-certificates']
const KERNEL = ['linux-image-cloud-amd64', 'linux-headers-cloud-amd64', 'initramfs-tools']
const RUNTIME = ['containerd', 'runc', 'busybox-static', 'openssh-server', 'docker-registry']

/**
 * What kubespray installs on a Debian node before anything else: bootstrap-os's python3-apt and dbus,
 * and the system packages (kubernetes/preinstall's required_pkgs up to v2.2x, system_packages since),
 * the union over v2.18 to master. Preinstalled so that kubespray's package tasks find them present:
 * no apt download per node and cell on runners, and guests with no route (guest-network: restricted)
 * get past those tasks instead of failing on "Unable to locate package python3-apt".
 */
export function kubesprayPrerequisites(suite: ImageSpec['suite']): string[] {
  return [
    ...['python3-apt', 'dbus', 'apparmor', 'apt-transport-https', 'bash-completion', 'conntrack'],
    ...['curl', 'ebtables', 'gnupg', 'ipset', 'iptables', 'iputils-ping', 'ipvsadm', 'libseccomp2'],
    ...['openssl', 'rsync', 'socat', 'tar', 'unzip', 'xfsprogs'],
    // kubespray asks for it on Debian ≤ 12 only: trixie no longer has it.
    ...(suite === 'trixie' ? [] : ['software-properties-common']),
    // kubespray asks for it on Debian 12 only.
    ...(suite === 'bookworm' ? ['mergerfs'] : [])
  ]
}

export function recipeFor(image: ImageSpec, mirror: string): ImageRecipe {
  const backports = `${image.suite}-backports`
  const zfsRelease = image.zfsSource === 'backports' ? backports : image.suite
  const sources = [`deb ${mirror} ${image.suite} main contrib`]
  if (image.zfsSource === 'backports') sources.push(`deb ${mirror} ${backports} main contrib`)
  const containerd = image.containerdRelease ?? image.suite
  // unstable's Release file is valid for a week only; a mirror that syncs less often must still serve it.
  if (image.containerdRelease !== undefined) {
    sources.push(`deb [check-valid-until=no] ${mirror} ${image.containerdRelease} main`)
  }
  const zfsPackages = ['zfs-dkms', 'zfsutils-linux']
  // `containerd/unstable` takes that one package from the release; its dependencies stay the suite's.
  const runtime = RUNTIME.map(p =>
    p === 'containerd' && containerd !== image.suite ? `${p}/${containerd}` : p
  )
  return {
    suite: image.suite,
    sources,
    bootstrapPackages: BOOTSTRAP,
    packages: [...KERNEL, ...runtime, ...kubesprayPrerequisites(image.suite)],
    zfs: { packages: zfsPackages, release: zfsRelease },
    tracked: [
      ...[
        'linux-image-cloud-amd64',
        'containerd',
        'runc',
        'openssh-server',
        'busybox-static',
        'docker-registry'
      ].map(name => ({ name, release: name === 'containerd' ? containerd : image.suite })),
      ...zfsPackages.map(name => ({ name, release: zfsRelease }))
    ],
    ...(image.containerdRelease === undefined
      ? {}
      : {
          preferences: `Package: *\nPin: release a=${image.containerdRelease}\nPin-Priority: 100\n`
        })
  }
}
