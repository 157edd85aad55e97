import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { CleanupLedger } from '../../src/cleanup/ledger.js'
import type { Executor } from '../../src/exec/executor.js'
import type { HostContext } from '../../src/host/context.js'
import { cacheKey, ensureImage, imageDirName, newestCached } from '../../src/images/cache.js'
import { findImage, type ImageSpec } from '../../src/images/catalogue.js'
import { BUILDER_VERSION, type ImageManifest } from '../../src/images/manifest.js'
import { recipeFor } from '../../src/images/recipe.js'
import type { Log } from '../../src/log/log.js'
import { tempDir } from '../helpers.js'
import { byProgram, fakeExecutor, recordingLog, type Reply } from '../fakes.js'

const fakeExec = (replies: Record<string, Reply>) => fakeExecutor(byProgram(replies))

const MIRROR = 'http://deb.debian.org/debian'

function image(name: string): ImageSpec {
  const spec = findImage(name)
  if (spec === undefined) throw new Error(`no image ${name}`)
  return spec
}

const DEBIAN_12 = image('debian-12')
const VERSIONS: Record<string, string> = {
  'linux-image-cloud-amd64': '6.1.176-1',
  containerd: '1.6.20~ds1-1+b1',
  runc: '1.1.5+ds1-1+deb12u1',
  'openssh-server': '1:9.2p1-2+deb12u7',
  'busybox-static': '1:1.35.0-4+b4',
  'docker-registry': '2.8.2+ds1-1+b5',
  'zfs-dkms': '2.1.11-1+deb12u1',
  'zfsutils-linux': '2.1.11-1+deb12u1'
}

/** `apt-cache madison` for the packages debian-12 tracks, as a bookworm mirror answers. */
const MADISON = Object.entries(VERSIONS)
  .map(
    ([name, version]) =>
      `${name.padStart(24)} | ${version} | http://deb.debian.org/debian bookworm/${name.startsWith('zfs') ? 'contrib' : 'main'} amd64 Packages`
  )
  .join('\n')

const UPDATE_FAILS: Record<string, Reply> = {
  'apt-get': {
    exitCode: 100,
    stderr:
      "Err:1 http://deb.debian.org/debian bookworm InRelease\n  Temporary failure resolving 'deb.debian.org'\nE: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease\n"
  }
}

function context(exec: Executor, log: Log): HostContext {
  return {
    exec,
    ledger: new CleanupLedger(join(tempDir(), 'l.json')),
    log,
    signal: new AbortController().signal,
    workDir: tempDir()
  }
}

function keyring(): string {
  const path = join(tempDir(), 'debian-archive-keyring.gpg')
  writeFileSync(path, 'not really a keyring')
  return path
}

function manifest(name: string, key: string, builtAt: string): ImageManifest {
  return {
    image: name,
    key,
    builderVersion: BUILDER_VERSION,
    builtAt,
    buildSeconds: 420,
    suite: 'bookworm',
    mirror: MIRROR,
    kernel: '6.1.0-41-cloud-amd64',
    openzfs: '2.1.11-1',
    packages: { 'zfs-dkms': '2.1.11-1+deb12u1' }
  }
}

/** A cache entry as the builder leaves it; `ageSeconds` sets its mtime. */
function cacheEntry(cacheDir: string, dirName: string, ageSeconds: number, withManifest = true): string {
  const dir = join(cacheDir, dirName)
  mkdirSync(dir, { recursive: true })
  if (withManifest) {
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify(manifest(dirName.split(`-b${BUILDER_VERSION}-`)[0]!, dirName, `age-${ageSeconds}`))
    )
  }
  const t = Date.now() / 1000 - ageSeconds
  utimesSync(dir, t, t)
  return dir
}

describe('cacheKey', () => {
  const recipe = recipeFor(DEBIAN_12, MIRROR)
  const key = cacheKey(DEBIAN_12, recipe, VERSIONS)

  it('is a 16-hex-digit key, stable for equal inputs whatever the order of the versions', () => {
    expect(key).toMatch(/^[0-9a-f]{16}$/)
    expect(cacheKey(DEBIAN_12, recipeFor(DEBIAN_12, MIRROR), { ...VERSIONS })).toBe(key)
    const reversed = Object.fromEntries(Object.entries(VERSIONS).reverse())
    expect(Object.keys(reversed)[0]).toBe('zfsutils-linux')
    expect(cacheKey(DEBIAN_12, recipe, reversed)).toBe(key)
  })

  it('changes when any tracked version changes', () => {
    const keys = new Set([key])
    for (const name of Object.keys(VERSIONS)) {
      const changed = cacheKey(DEBIAN_12, recipe, { ...VERSIONS, [name]: `${VERSIONS[name]}.1` })
      expect(changed).not.toBe(key)
      keys.add(changed)
    }
    expect(keys.size).toBe(Object.keys(VERSIONS).length + 1)
    const { runc: _runc, ...withoutRunc } = VERSIONS
    expect(cacheKey(DEBIAN_12, recipe, withoutRunc)).not.toBe(key)
  })

  it('changes with the image, its package list and its OpenZFS source, not with the mirror', () => {
    expect(cacheKey(image('debian-12-zfs23'), recipe, VERSIONS)).not.toBe(key)
    expect(cacheKey(DEBIAN_12, { ...recipe, packages: [...recipe.packages, 'strace'] }, VERSIONS)).not.toBe(
      key
    )
    expect(
      cacheKey(DEBIAN_12, { ...recipe, zfs: { ...recipe.zfs, release: 'bookworm-backports' } }, VERSIONS)
    ).not.toBe(key)
    expect(cacheKey(DEBIAN_12, recipeFor(DEBIAN_12, 'http://mirror.example.net/debian'), VERSIONS)).toBe(key)
  })

  it("of a derived image, changes with its base's key", () => {
    expect(cacheKey(DEBIAN_12, recipe, VERSIONS, 'aaaaaaaaaaaaaaaa')).not.toBe(key)
    expect(cacheKey(DEBIAN_12, recipe, VERSIONS, 'aaaaaaaaaaaaaaaa')).not.toBe(
      cacheKey(DEBIAN_12, recipe, VERSIONS, 'bbbbbbbbbbbbbbbb')
    )
  })
})

describe('imageDirName', () => {
  it('joins the image, the builder version and the key', () => {
    expect(BUILDER_VERSION).toBe(1)
    expect(imageDirName('debian-12-zfs23', '0123456789abcdef')).toBe('debian-12-zfs23-b1-0123456789abcdef')
  })
})

describe('newestCached', () => {
  it('picks the newest complete image of that name and builder version', () => {
    const cache = tempDir()
    cacheEntry(cache, imageDirName('debian-12', 'aaaa'), 3000)
    const newest = cacheEntry(cache, imageDirName('debian-12', 'bbbb'), 2000)
    cacheEntry(cache, imageDirName('debian-12', 'older'), 2500)
    cacheEntry(cache, `${imageDirName('debian-12', 'cccc')}.partial-4242`, 10)
    cacheEntry(cache, imageDirName('debian-12', 'dddd'), 10, false)
    const zfs23 = cacheEntry(cache, imageDirName('debian-12-zfs23', 'eeee'), 10)
    cacheEntry(cache, `debian-12-b${BUILDER_VERSION + 1}-ffff`, 10)
    cacheEntry(cache, 'debs-bookworm', 5, false)
    writeFileSync(join(cache, `${imageDirName('debian-12', 'file')}`), 'not a dir')

    expect(newestCached(cache, 'debian-12')).toEqual({
      dir: newest,
      kernel: join(newest, 'vmlinuz'),
      initrd: join(newest, 'initrd.img'),
      root: join(newest, 'root.img'),
      manifest: manifest('debian-12', 'debian-12-b1-bbbb', 'age-2000')
    })
    expect(newestCached(cache, 'debian-12-zfs23')?.dir).toBe(zfs23)
    expect(newestCached(cache, 'debian-13')).toBeUndefined()
    expect(newestCached(join(cache, 'nowhere'), 'debian-12')).toBeUndefined()
  })
})

describe('ensureImage', () => {
  it('refuses to start without the Debian keyring, naming the package', async () => {
    const missing = join(tempDir(), 'debian-archive-keyring.gpg')
    const exec = fakeExec({})
    const ctx = context(exec, recordingLog())
    await expect(
      ensureImage(DEBIAN_12, { dir: tempDir(), mirror: MIRROR, keyring: missing }, ctx)
    ).rejects.toThrow(
      new Error(`${missing} is missing: install the debian-archive-keyring package to verify Debian's mirror`)
    )
    expect(exec.calls).toEqual([])
  })

  it('falls back to the newest cached image with a warning when the mirror cannot be read', async () => {
    const cache = tempDir()
    cacheEntry(cache, imageDirName('debian-12', 'old0'), 5000)
    const cached = cacheEntry(cache, imageDirName('debian-12', 'new0'), 100)
    const log = recordingLog()
    const exec = fakeExec(UPDATE_FAILS)
    const ctx = context(exec, log)

    const artifacts = await ensureImage(DEBIAN_12, { dir: cache, mirror: MIRROR, keyring: keyring() }, ctx)

    expect(artifacts.dir).toBe(cached)
    expect(artifacts.root).toBe(join(cached, 'root.img'))
    expect(artifacts.manifest.builtAt).toBe('age-100')
    expect(log.lines).toHaveLength(1)
    expect(log.lines[0]).toMatch(
      /^warning: debian-12: could not read the package indexes from the mirror: apt-get -o .* failed with exit code 100:\n/
    )
    expect(log.lines[0]).toMatch(
      /E: Failed to fetch http:\/\/deb\.debian\.org\/debian\/dists\/bookworm\/InRelease; using the cached image built age-100$/
    )
    expect(exec.calls.map(([c]) => [c.program, c.args.at(-1)])).toEqual([['apt-get', 'update']])
    // The indexes are read through a private apt root under the work dir, from the given mirror.
    expect(readFileSync(join(ctx.workDir, 'apt-debian-12', 'sources.list'), 'utf8')).toBe(
      'deb http://deb.debian.org/debian bookworm main contrib\n'
    )
  })

  it('cannot build when the mirror cannot be read and nothing is cached', async () => {
    const cache = tempDir()
    cacheEntry(cache, imageDirName('debian-12-zfs23', 'other'), 100)
    const log = recordingLog()
    const ctx = context(fakeExec(UPDATE_FAILS), log)
    const error = await ensureImage(DEBIAN_12, { dir: cache, mirror: MIRROR, keyring: keyring() }, ctx).then(
      () => undefined,
      (e: Error) => e
    )
    expect(error?.message).toMatch(
      /^cannot build debian-12: could not read the package indexes from the mirror: apt-get -o .* failed with exit code 100:\n/
    )
    expect(log.lines).toEqual([])
  })

  it('cannot build when the mirror lacks a tracked package and nothing is cached', async () => {
    const madison = MADISON.split('\n')
      .filter(l => !l.includes('docker-registry'))
      .join('\n')
    const ctx = context(fakeExec({ 'apt-get': {}, 'apt-cache': { stdout: madison } }), recordingLog())
    const cache = join(tempDir(), 'images')
    await expect(
      ensureImage(DEBIAN_12, { dir: cache, mirror: MIRROR, keyring: keyring() }, ctx)
    ).rejects.toThrow(new Error('cannot build debian-12: the mirror has no docker-registry (bookworm)'))
    expect(existsSync(cache)).toBe(true)
  })

  it('returns the image cached under the key of the versions the mirror serves, without building', async () => {
    const cache = tempDir()
    const key = cacheKey(DEBIAN_12, recipeFor(DEBIAN_12, MIRROR), VERSIONS)
    const hit = cacheEntry(cache, imageDirName('debian-12', key), 5000)
    cacheEntry(cache, imageDirName('debian-12', 'newer0000000000'), 10)
    const log = recordingLog()
    const exec = fakeExec({ 'apt-get': {}, 'apt-cache': { stdout: MADISON } })
    const ctx = context(exec, log)

    const artifacts = await ensureImage(DEBIAN_12, { dir: cache, mirror: MIRROR, keyring: keyring() }, ctx)

    expect(artifacts.dir).toBe(hit)
    expect(log.lines).toEqual([
      `info: debian-12: cached image ${key} (kernel 6.1.176-1, OpenZFS 2.1.11-1+deb12u1)`
    ])
    expect(exec.calls.map(([c]) => c.program)).toEqual(['apt-get', 'apt-cache'])
    expect(ctx.ledger.read()).toEqual([])
  })
})

describe('ensureImage with a shared (remote) cache', () => {
  it('restores the image from the shared cache instead of building it', async () => {
    const cacheDir = tempDir()
    const exec = fakeExec({ 'apt-get': {}, 'apt-cache': { stdout: MADISON } })
    const log = recordingLog()
    const asked: string[] = []
    const remote = {
      restore: (dir: string, key: string) => {
        asked.push(key)
        mkdirSync(dir, { recursive: true })
        writeFileSync(
          join(dir, 'manifest.json'),
          JSON.stringify(manifest('debian-12', 'k', '2026-11-24T00:00:00Z'))
        )
        return Promise.resolve(true)
      },
      save: () => Promise.reject(new Error('must not save what was restored'))
    }
    const artifacts = await ensureImage(
      DEBIAN_12,
      { dir: cacheDir, mirror: MIRROR, keyring: keyring(), remote },
      context(exec, log)
    )
    expect(asked).toEqual([expect.stringMatching(/^zfs-join-matrix-image-debian-12-b\d+-[0-9a-f]{16}$/)])
    expect(artifacts.dir).toBe(join(cacheDir, asked[0]!.replace('zfs-join-matrix-image-', '')))
    expect(exec.calls.map(([c]) => c.program)).toEqual(['apt-get', 'apt-cache'])
    expect(log.lines.join('\n')).toContain('restored from the shared cache')
  })

  it('builds when the shared cache has nothing (and asks it before the first build step)', async () => {
    const exec = fakeExec({
      'apt-get': {},
      'apt-cache': { stdout: MADISON },
      debootstrap: { exitCode: 1, stderr: 'E: no mirror in this test' },
      rm: {}
    })
    const order: string[] = []
    const remote = {
      restore: () => {
        order.push('restore')
        return Promise.resolve(false)
      },
      save: () => Promise.resolve()
    }
    const traced: Executor = { run: (c, o) => (order.push(c.program), exec.run(c, o)) }
    await expect(
      ensureImage(
        DEBIAN_12,
        { dir: tempDir(), mirror: MIRROR, keyring: keyring(), remote },
        context(traced, recordingLog())
      )
    ).rejects.toThrow(/debootstrap .* failed with exit code 1:\nE: no mirror in this test/)
    expect(order.slice(0, 4)).toEqual(['apt-get', 'apt-cache', 'restore', 'debootstrap'])
  })
})
