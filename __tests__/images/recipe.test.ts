import { describe, expect, it } from '@jest/globals'
import { IMAGES, IMAGE_NAMES, findImage, type ImageSpec } from '../../src/images/catalogue.js'
import { DEFAULT_MIRROR, kubesprayPrerequisites, recipeFor } from '../../src/images/recipe.js'

const MIRROR = 'http://mirror.example.net/debian'
const TRACKED_FROM_SUITE = [
  'linux-image-cloud-amd64',
  'containerd',
  'runc',
  'openssh-server',
  'busybox-static',
  'docker-registry'
]
const BOOTSTRAP = ['systemd-sysv', 'udev', 'kmod', 'e2fsprogs', 'iproute2', 'procps', 'ca-certificates']
const PACKAGES = [
  'linux-image-cloud-amd64',
  'linux-headers-cloud-amd64',
  'initramfs-tools',
  'containerd',
  'runc',
  'busybox-static',
  'openssh-server',
  'docker-registry'
]

function image(name: string): ImageSpec {
  const spec = findImage(name)
  if (spec === undefined) throw new Error(`no image ${name}`)
  return spec
}

describe('catalogue', () => {
  it('lists the four images with their suites and zfs sources', () => {
    expect(IMAGE_NAMES).toEqual(['debian-11', 'debian-12', 'debian-12-zfs23', 'debian-13'])
    expect(IMAGES.map(i => [i.name, i.suite, i.zfsSource])).toEqual([
      ['debian-11', 'bullseye', 'contrib'],
      ['debian-12', 'bookworm', 'contrib'],
      ['debian-12-zfs23', 'bookworm', 'backports'],
      ['debian-13', 'trixie', 'contrib']
    ])
    expect(findImage('debian-14')).toBeUndefined()
  })
})

describe('recipeFor', () => {
  it('debian-12-zfs23 takes OpenZFS from bookworm-backports and adds that source', () => {
    expect(recipeFor(image('debian-12-zfs23'), MIRROR)).toEqual({
      suite: 'bookworm',
      sources: [
        'deb http://mirror.example.net/debian bookworm main contrib',
        'deb http://mirror.example.net/debian bookworm-backports main contrib'
      ],
      bootstrapPackages: BOOTSTRAP,
      packages: [...PACKAGES, ...kubesprayPrerequisites('bookworm')],
      zfs: { packages: ['zfs-dkms', 'zfsutils-linux'], release: 'bookworm-backports' },
      tracked: [
        ...TRACKED_FROM_SUITE.map(name => ({ name, release: 'bookworm' })),
        { name: 'zfs-dkms', release: 'bookworm-backports' },
        { name: 'zfsutils-linux', release: 'bookworm-backports' }
      ]
    })
  })

  it.each([
    ['debian-11', 'bullseye'],
    ['debian-12', 'bookworm'],
    ['debian-13', 'trixie']
  ])('%s takes everything, OpenZFS included, from %s', (name, suite) => {
    expect(recipeFor(image(name), MIRROR)).toEqual({
      suite,
      sources: [`deb http://mirror.example.net/debian ${suite} main contrib`],
      bootstrapPackages: BOOTSTRAP,
      packages: [...PACKAGES, ...kubesprayPrerequisites(suite as ImageSpec['suite'])],
      zfs: { packages: ['zfs-dkms', 'zfsutils-linux'], release: suite },
      tracked: [...TRACKED_FROM_SUITE, 'zfs-dkms', 'zfsutils-linux'].map(n => ({ name: n, release: suite }))
    })
  })

  it("preinstalls what kubespray's bootstrap and system packages install on each Debian release", () => {
    const common = ['python3-apt', 'dbus', 'conntrack', 'ipset', 'ipvsadm', 'iputils-ping', 'xfsprogs']
    for (const suite of ['bullseye', 'bookworm', 'trixie'] as const)
      expect(kubesprayPrerequisites(suite)).toEqual(expect.arrayContaining(common))
    expect(kubesprayPrerequisites('bullseye')).toContain('software-properties-common')
    expect(kubesprayPrerequisites('bullseye')).not.toContain('mergerfs')
    expect(kubesprayPrerequisites('bookworm')).toEqual(
      expect.arrayContaining(['software-properties-common', 'mergerfs'])
    )
    expect(kubesprayPrerequisites('trixie')).not.toContain('software-properties-common')
    expect(kubesprayPrerequisites('trixie')).not.toContain('mergerfs')
  })

  it('every image gets a recipe whose sources all use the mirror it was given', () => {
    for (const spec of IMAGES) {
      const recipe = recipeFor(spec, DEFAULT_MIRROR)
      expect(recipe.sources.length).toBe(spec.zfsSource === 'backports' ? 2 : 1)
      for (const line of recipe.sources)
        expect(line.startsWith('deb http://deb.debian.org/debian ')).toBe(true)
      expect(recipe.tracked.every(t => recipe.sources.some(s => s.split(' ')[2] === t.release))).toBe(true)
    }
    expect(DEFAULT_MIRROR).toBe('http://deb.debian.org/debian')
  })
})
