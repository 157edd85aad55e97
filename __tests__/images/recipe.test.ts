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
  it('lists the images with their suites and zfs sources', () => {
    expect(IMAGE_NAMES).toEqual([
      'debian-11',
      'debian-12',
      'debian-12-zfs23',
      'debian-13',
      'debian-13-containerd2'
    ])
    expect(IMAGES.map(i => [i.name, i.suite, i.zfsSource])).toEqual([
      ['debian-11', 'bullseye', 'contrib'],
      ['debian-12', 'bookworm', 'contrib'],
      ['debian-12-zfs23', 'bookworm', 'backports'],
      ['debian-13', 'trixie', 'contrib'],
      ['debian-13-containerd2', 'trixie', 'contrib']
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

  it('debian-13-containerd2 takes containerd alone from unstable, pinned below trixie', () => {
    const recipe = recipeFor(image('debian-13-containerd2'), MIRROR)
    expect(recipe.sources).toEqual([
      'deb http://mirror.example.net/debian trixie main contrib',
      'deb [check-valid-until=no] http://mirror.example.net/debian unstable main'
    ])
    expect(recipe.packages).toContain('containerd/unstable')
    expect(recipe.packages).not.toContain('containerd')
    expect(recipe.packages).toContain('runc')
    expect(recipe.tracked.filter(t => t.release === 'unstable')).toEqual([
      { name: 'containerd', release: 'unstable' }
    ])
    expect(recipe.preferences).toBe('Package: *\nPin: release a=unstable\nPin-Priority: 100\n')
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
      expect(recipe.sources.length).toBe(
        1 + (spec.zfsSource === 'backports' ? 1 : 0) + (spec.containerdRelease === undefined ? 0 : 1)
      )
      for (const line of recipe.sources)
        expect(
          line.replace(' [check-valid-until=no]', '').startsWith('deb http://deb.debian.org/debian ')
        ).toBe(true)
      const releaseOf = (line: string) => line.split(' ').filter(w => !w.startsWith('['))[2]
      expect(recipe.tracked.every(t => recipe.sources.some(s => releaseOf(s) === t.release))).toBe(true)
    }
    expect(DEFAULT_MIRROR).toBe('http://deb.debian.org/debian')
  })

  it('an image made from another names one of the catalogue, of its suite and OpenZFS, itself built afresh', () => {
    const derived = IMAGES.filter(i => i.derivedFrom !== undefined)
    expect(derived.map(i => [i.name, i.derivedFrom])).toEqual([['debian-13-containerd2', 'debian-13']])
    for (const image of derived) {
      const base = findImage(image.derivedFrom!)
      expect(base).toMatchObject({ suite: image.suite, zfsSource: image.zfsSource, expected: image.expected })
      expect(base!.derivedFrom).toBeUndefined()
    }
  })
})
