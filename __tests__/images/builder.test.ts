import { describe, expect, it } from '@jest/globals'
import { debootstrapCommand, type BuildRequest } from '../../src/images/builder.js'
import { chrootCommand, parseDpkgQuery } from '../../src/images/image-root.js'
import { processExecutor } from '../../src/exec/executor.js'
import { findImage } from '../../src/images/catalogue.js'
import { recipeFor } from '../../src/images/recipe.js'

describe('debootstrapCommand', () => {
  it('bootstraps a minbase main+contrib root with the recipe packages, the deb cache and the mirror', () => {
    const image = findImage('debian-13')!
    const mirror = 'http://mirror.example.net/debian'
    const req: BuildRequest = {
      image,
      recipe: recipeFor(image, mirror),
      mirror,
      key: '0123456789abcdef',
      outDir: '/cache/images/debian-13-b1-0123456789abcdef.partial-7',
      debCache: '/cache/images/debs-trixie'
    }
    expect(debootstrapCommand(req, '/work/build-debian-13/rootfs')).toEqual({
      program: 'debootstrap',
      args: [
        '--variant=minbase',
        '--components=main,contrib',
        '--include=systemd-sysv,udev,kmod,e2fsprogs,iproute2,procps,ca-certificates',
        '--cache-dir=/cache/images/debs-trixie',
        'trixie',
        '/work/build-debian-13/rootfs',
        'http://mirror.example.net/debian'
      ]
    })
  })
})

describe('chrootCommand', () => {
  it("runs inside the root without the host's TMPDIR, which maintainer scripts' mktemp would fail on", async () => {
    const saved = process.env.TMPDIR
    process.env.TMPDIR = '/nonexistent/host-tmp'
    try {
      // The host's own root stands in for an image's: chroot needs root, which the build has too.
      const r = await processExecutor.run(
        chrootCommand('/', 'sh', '-c', 'echo "$TMPDIR $HOME $LC_ALL"; mktemp -u')
      )
      expect(r.exitCode).toBe(0)
      expect(r.stdout).toMatch(/^\/tmp \/root C\n\/tmp\/tmp\.\w+\n$/)
    } finally {
      if (saved === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = saved
    }
  })
})

describe('parseDpkgQuery', () => {
  it('reads package<TAB>version lines, skipping packages without a version and blank lines', () => {
    const out = [
      'linux-image-cloud-amd64\t6.1.176-1',
      'zfs-dkms\t2.3.2-2~bpo12+2',
      'containerd\t1.6.20~ds1-1+b1',
      'docker-registry\t',
      'linux-image-6.1.0-41-cloud-amd64\t6.1.176-1',
      'garbage line',
      ''
    ].join('\n')
    expect(parseDpkgQuery(out)).toEqual({
      'linux-image-cloud-amd64': '6.1.176-1',
      'zfs-dkms': '2.3.2-2~bpo12+2',
      containerd: '1.6.20~ds1-1+b1',
      'linux-image-6.1.0-41-cloud-amd64': '6.1.176-1'
    })
    expect(parseDpkgQuery('')).toEqual({})
  })
})
