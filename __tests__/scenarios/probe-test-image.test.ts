import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import { tarArchive, type TarEntry } from '../../src/containerd/tar.js'
import {
  PROBE_FILES,
  buildTestImages,
  imageOfLayers,
  ociLayoutArchive,
  type Blob,
  type OciImage,
  APPLETS
} from '../../src/containerd/test-image.js'
import {
  REGISTRY_ADDRESS,
  imageReference,
  registryConfig,
  registryStorageTree,
  writeTree
} from '../../src/containerd/registry-layout.js'
import { tempDir } from '../helpers.js'

const BUSYBOX = Buffer.from('#!/bin/sh\necho fake busybox\n')

function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

function hexOf(digest: string): string {
  return digest.replace(/^sha256:/, '')
}

/** Writes the archive to disk and lets the system tar read it. */
function systemTar(archive: Buffer, ...args: string[]): string {
  const dir = tempDir()
  const file = join(dir, 'layer.tar')
  writeFileSync(file, archive)
  return execFileSync('tar', [...args, '-f', file], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' }
  })
}

function extract(archive: Buffer): string {
  const out = tempDir()
  const dir = tempDir()
  const file = join(dir, 'layer.tar')
  writeFileSync(file, archive)
  execFileSync('tar', ['-x', '--no-same-owner', '-f', file, '-C', out])
  return out
}

interface Listed {
  readonly mode: string
  readonly owner: string
  readonly name: string
}

/** `tar -tv --numeric-owner` lines: mode string, uid/gid, name (with " -> target" for symlinks). */
function listing(archive: Buffer): Listed[] {
  return systemTar(archive, '-t', '-v', '--numeric-owner')
    .trim()
    .split('\n')
    .map(line => {
      const m = /^(\S+)\s+(\S+)\s+\d+\s+\S+\s+\S+\s+(.*)$/.exec(line)
      if (m === null) throw new Error(`unexpected tar -tv line ${line}`)
      return { mode: m[1]!, owner: m[2]!, name: m[3]! }
    })
}

function configOf(image: OciImage): {
  config: Record<string, unknown>
  rootfs: { type: string; diff_ids: string[] }
  history: { created: string; created_by: string }[]
} {
  return JSON.parse(image.config.bytes.toString('utf8')) as ReturnType<typeof configOf>
}

describe('tarArchive', () => {
  const entries: TarEntry[] = [
    { path: 'bin', type: 'dir', mode: 0o755 },
    { path: 'bin/tool', type: 'file', mode: 0o755, content: Buffer.from('x'.repeat(700)) },
    { path: 'bin/alias', type: 'symlink', mode: 0o777, linkTarget: 'tool' },
    { path: 'tmp', type: 'dir', mode: 0o1777 },
    { path: 'empty', type: 'file', mode: 0o600, content: Buffer.alloc(0) },
    { path: 'tmp/pipe', type: 'fifo', mode: 0o644 }
  ]

  it('writes a ustar archive the system tar lists with root ownership, modes and link targets', () => {
    expect(listing(tarArchive(entries))).toEqual([
      { mode: 'drwxr-xr-x', owner: '0/0', name: 'bin/' },
      { mode: '-rwxr-xr-x', owner: '0/0', name: 'bin/tool' },
      { mode: 'lrwxrwxrwx', owner: '0/0', name: 'bin/alias -> tool' },
      { mode: 'drwxrwxrwt', owner: '0/0', name: 'tmp/' },
      { mode: '-rw-------', owner: '0/0', name: 'empty' },
      { mode: 'prw-r--r--', owner: '0/0', name: 'tmp/pipe' }
    ])
    const names = systemTar(tarArchive(entries), '-t', '-v').trim().split('\n')
    for (const line of names) expect(line).toMatch(/ root\/root /)
  })

  it('pads contents to 512-byte blocks and ends with two zero blocks', () => {
    const archive = tarArchive(entries)
    // 6 headers, 700 bytes of content in 2 blocks, 2 end blocks
    expect(archive.length).toBe((6 + 2 + 2) * 512)
    expect(archive.subarray(archive.length - 1024).equals(Buffer.alloc(1024))).toBe(true)
    const header = archive.subarray(0, 512)
    expect(header.subarray(257, 265).toString('latin1')).toBe('ustar\u000000')
    expect(header.subarray(136, 147).toString('latin1')).toBe('00000000000')
  })

  it('stores a header checksum equal to the byte sum with the field read as spaces', () => {
    const header = Buffer.from(tarArchive(entries).subarray(0, 512))
    const stored = parseInt(header.subarray(148, 154).toString('latin1'), 8)
    header.fill(' ', 148, 156)
    expect(stored).toBe(header.reduce((sum, byte) => sum + byte, 0))
  })

  it('round-trips contents through the system tar', () => {
    const out = extract(tarArchive(entries))
    expect(readFileSync(join(out, 'bin/tool'), 'utf8')).toBe('x'.repeat(700))
    expect(readlinkSync(join(out, 'bin/alias'))).toBe('tool')
    expect(readFileSync(join(out, 'empty')).length).toBe(0)
    expect(lstatSync(join(out, 'bin/tool')).mode & 0o777).toBe(0o755)
  })

  it('refuses long paths, long link targets and files without content', () => {
    const long = `${'d/'.repeat(50)}x`
    expect(() => tarArchive([{ path: long, type: 'file', mode: 0o644, content: Buffer.alloc(0) }])).toThrow(
      /longer than ustar's 100/
    )
    // a directory's added "/" counts too
    expect(() => tarArchive([{ path: 'd'.repeat(100), type: 'dir', mode: 0o755 }])).toThrow(/101 bytes/)
    expect(() =>
      tarArchive([{ path: 'l', type: 'symlink', mode: 0o777, linkTarget: 't'.repeat(101) }])
    ).toThrow(/link target of l/)
    expect(() => tarArchive([{ path: 'f', type: 'file', mode: 0o644 }])).toThrow(/file f has no content/)
    expect(() => tarArchive([{ path: 'l', type: 'symlink', mode: 0o777 }])).toThrow(/no link target/)
    expect(() => tarArchive([{ path: '/abs', type: 'dir', mode: 0o755 }])).toThrow(/must be relative/)
    // exactly 100 bytes fits the name field
    expect(
      listing(tarArchive([{ path: 'f'.repeat(100), type: 'file', mode: 0o644, content: Buffer.alloc(0) }]))
    ).toHaveLength(1)
  })
})

describe('buildTestImages', () => {
  const images = buildTestImages(BUSYBOX)
  const { probe, pause } = images
  const blobsOf = (image: OciImage): Blob[] => [...image.layers, image.config, image.manifest]

  it('is deterministic: the same busybox gives byte-identical blobs', () => {
    const again = buildTestImages(Buffer.from(BUSYBOX))
    for (const [a, b] of [
      [probe, again.probe],
      [pause, again.pause]
    ] as const) {
      expect(blobsOf(b).map(blob => blob.digest)).toEqual(blobsOf(a).map(blob => blob.digest))
      blobsOf(a).forEach((blob, i) => expect(blob.bytes.equals(blobsOf(b)[i]!.bytes)).toBe(true))
    }
  })

  it('gives different digests for a different busybox', () => {
    const other = buildTestImages(Buffer.from('#!/bin/sh\necho other busybox\n'))
    expect(other.probe.layers[0]!.digest).not.toBe(probe.layers[0]!.digest)
    expect(other.probe.layers[1]!.digest).toBe(probe.layers[1]!.digest)
    expect(other.probe.manifest.digest).not.toBe(probe.manifest.digest)
    expect(other.pause.manifest.digest).not.toBe(pause.manifest.digest)
  })

  it('names every blob by the sha256 of its bytes, with OCI media types', () => {
    for (const image of [probe, pause]) {
      for (const blob of blobsOf(image)) expect(blob.digest).toBe(sha256(blob.bytes))
      expect(image.manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json')
      expect(image.config.mediaType).toBe('application/vnd.oci.image.config.v1+json')
      for (const layer of image.layers) expect(layer.mediaType).toBe('application/vnd.oci.image.layer.v1.tar')
    }
  })

  it('writes manifests whose descriptors match the blobs', () => {
    for (const image of [probe, pause]) {
      const descriptor = (blob: Blob): unknown => ({
        mediaType: blob.mediaType,
        digest: blob.digest,
        size: blob.bytes.length
      })
      expect(image.manifest.bytes.toString('utf8')).toBe(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: descriptor(image.config),
          layers: image.layers.map(descriptor)
        })
      )
    }
    expect(probe.layers).toHaveLength(2)
    expect(pause.layers).toHaveLength(1)
  })

  it('writes configs with fixed times, the process settings and the diff ids', () => {
    const text = probe.config.bytes.toString('utf8')
    expect(text.endsWith('}')).toBe(true)
    expect(Object.keys(JSON.parse(text) as object)).toEqual([
      'created',
      'architecture',
      'os',
      'config',
      'rootfs',
      'history'
    ])
    expect(configOf(probe)).toEqual({
      created: '1970-01-01T00:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/bin'], Cmd: ['/bin/sh'], WorkingDir: '/' },
      rootfs: { type: 'layers', diff_ids: probe.layers.map(l => l.digest) },
      history: [
        { created: '1970-01-01T00:00:00Z', created_by: 'zfs-join-matrix test image layer 1' },
        { created: '1970-01-01T00:00:00Z', created_by: 'zfs-join-matrix test image layer 2' }
      ]
    })
    expect(configOf(pause).config).toEqual({ Env: ['PATH=/bin'], Cmd: ['/bin/sleep', '2147483647'] })
    expect(configOf(pause).rootfs.diff_ids).toEqual([probe.layers[0]!.digest])
  })

  it('has diff ids equal to the layer digests and chain ids per the OCI image spec', () => {
    expect(probe.diffIds).toEqual(probe.layers.map(l => l.digest))
    expect(pause.diffIds).toEqual([pause.layers[0]!.digest])
    const [d0, d1] = [probe.diffIds[0]!, probe.diffIds[1]!]
    expect(probe.chainIds).toEqual([d0, sha256(`${d0} ${d1}`)])
    expect(pause.chainIds).toEqual([d0])
  })

  it('shares the very same first layer between probe and pause', () => {
    expect(pause.layers[0]!.digest).toBe(probe.layers[0]!.digest)
    expect(pause.layers[0]!.bytes.equals(probe.layers[0]!.bytes)).toBe(true)
    expect(`${probe.repository}:${probe.tag}`).toBe('zjm/probe:v1')
    expect(`${pause.repository}:${pause.tag}`).toBe('zjm/pause:v1')
  })

  it('has a base layer with busybox, its applet links, root-owned dirs and the lower files', () => {
    const listed = listing(probe.layers[0]!.bytes)
    for (const entry of listed) expect(entry.owner).toBe('0/0')
    const byName = new Map(listed.map(e => [e.name.replace(/ -> .*$/, ''), e]))
    expect(byName.get('bin/')?.mode).toBe('drwxr-xr-x')
    expect(byName.get('tmp/')?.mode).toBe('drwxrwxrwt')
    expect(byName.get('bin/busybox')?.mode).toBe('-rwxr-xr-x')
    for (const dir of ['etc/', 'data/', 'root/', 'proc/', 'sys/', 'dev/', 'run/'])
      expect(byName.has(dir)).toBe(true)
    for (const applet of APPLETS) expect(byName.get(`bin/${applet}`)?.name).toBe(`bin/${applet} -> busybox`)
    expect(listed.filter(e => e.name.startsWith('./'))).toEqual([])

    const out = extract(probe.layers[0]!.bytes)
    expect(readFileSync(join(out, 'bin/busybox')).equals(BUSYBOX)).toBe(true)
    expect(readlinkSync(join(out, 'bin/sh'))).toBe('busybox')
    expect(readFileSync(join(out, 'etc/passwd'), 'utf8')).toBe('root:x:0:0:root:/root:/bin/sh\n')
    expect(readFileSync(join(out, 'etc/group'), 'utf8')).toBe('root:x:0:\n')
    expect(readFileSync(join(out, PROBE_FILES.lower.slice(1)), 'utf8')).toBe('from layer 1\n')
    expect(readFileSync(join(out, PROBE_FILES.deleted.slice(1)), 'utf8')).toBe('deleted by layer 2\n')
    expect(existsSync(join(out, PROBE_FILES.upper.slice(1)))).toBe(false)
  })

  it('has a second layer whiting out the deleted file and adding the upper one', () => {
    expect(listing(probe.layers[1]!.bytes)).toEqual([
      { mode: 'drwxr-xr-x', owner: '0/0', name: 'data/' },
      { mode: '-rw-r--r--', owner: '0/0', name: 'data/.wh.deleted.txt' },
      { mode: '-rw-r--r--', owner: '0/0', name: 'data/upper.txt' }
    ])
    const out = extract(probe.layers[1]!.bytes)
    expect(readFileSync(join(out, 'data/.wh.deleted.txt')).length).toBe(0)
    expect(readFileSync(join(out, PROBE_FILES.upper.slice(1)), 'utf8')).toBe('from layer 2\n')
  })
})

describe('registryStorageTree', () => {
  const { probe, pause } = buildTestImages(BUSYBOX)
  const tree = registryStorageTree([probe, pause])
  const blobPath = (digest: string): string =>
    `docker/registry/v2/blobs/sha256/${hexOf(digest).slice(0, 2)}/${hexOf(digest)}/data`

  it('stores each blob once under its digest, the shared layer included', () => {
    const blobs = [...tree.keys()].filter(p => p.startsWith('docker/registry/v2/blobs/'))
    const expected = new Set(
      [...probe.layers, probe.config, probe.manifest, pause.config, pause.manifest].map(b => b.digest)
    )
    // 2 probe layers (one shared with pause), 2 configs, 2 manifests
    expect(expected.size).toBe(6)
    expect(blobs.sort()).toEqual([...expected].map(blobPath).sort())
    for (const blob of [...probe.layers, probe.config, probe.manifest, pause.config, pause.manifest]) {
      expect(tree.get(blobPath(blob.digest))?.equals(blob.bytes)).toBe(true)
    }
  })

  it('links layers, config, manifest revision and tag per repository', () => {
    const links = (image: OciImage): string[] => {
      const repo = `docker/registry/v2/repositories/${image.repository}`
      const m = hexOf(image.manifest.digest)
      return [
        ...[...image.layers, image.config].map(b => `${repo}/_layers/sha256/${hexOf(b.digest)}/link`),
        `${repo}/_manifests/revisions/sha256/${m}/link`,
        `${repo}/_manifests/tags/v1/current/link`,
        `${repo}/_manifests/tags/v1/index/sha256/${m}/link`
      ]
    }
    const linkPaths = [...tree.keys()].filter(p => p.startsWith('docker/registry/v2/repositories/'))
    expect(linkPaths.sort()).toEqual([...links(probe), ...links(pause)].sort())
    expect(
      tree.get('docker/registry/v2/repositories/zjm/probe/_manifests/tags/v1/current/link')?.toString()
    ).toBe(probe.manifest.digest)
    const layerLink = `docker/registry/v2/repositories/zjm/pause/_layers/sha256/${hexOf(pause.layers[0]!.digest)}/link`
    expect(tree.get(layerLink)?.toString()).toBe(pause.layers[0]!.digest)
    for (const path of linkPaths) expect(tree.get(path)?.toString()).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  it('refuses the same repository and tag twice', () => {
    expect(() => registryStorageTree([probe, probe])).toThrow(/zjm\/probe:v1 is given twice/)
  })

  it('writeTree writes the files under the root', () => {
    const root = tempDir()
    mkdirSync(join(root, 'docker'))
    writeTree(root, tree)
    expect(readFileSync(join(root, blobPath(probe.layers[1]!.digest))).equals(probe.layers[1]!.bytes)).toBe(
      true
    )
    expect(readFileSync(join(root, blobPath(pause.manifest.digest)), 'utf8')).toBe(
      pause.manifest.bytes.toString('utf8')
    )
    expect(
      readFileSync(
        join(root, 'docker/registry/v2/repositories/zjm/pause/_manifests/tags/v1/current/link'),
        'utf8'
      )
    ).toBe(pause.manifest.digest)
    expect(() => writeTree(root, new Map([['../escape', Buffer.alloc(0)]]))).toThrow(
      /not a plain relative path/
    )
  })
})

describe('ociLayoutArchive', () => {
  const fifoImage = imageOfLayers(
    'zjm/fifo',
    'v1',
    [
      [
        { path: 'data', type: 'dir', mode: 0o755 },
        { path: 'data/pipe', type: 'fifo', mode: 0o644 }
      ],
      [{ path: 'data/upper.txt', type: 'file', mode: 0o644, content: Buffer.from('upper\n') }]
    ],
    { Env: [], Cmd: ['/bin/true'] }
  )

  it('builds an image of the given layers, the named pipe in its lower one', () => {
    expect(fifoImage.layers).toHaveLength(2)
    expect(listing(fifoImage.layers[0]!.bytes).map(l => `${l.mode} ${l.name}`)).toEqual([
      'drwxr-xr-x data/',
      'prw-r--r-- data/pipe'
    ])
  })

  it('lays the image out as OCI: oci-layout, an index naming it, every blob once under its digest', () => {
    const dir = extract(ociLayoutArchive(fifoImage))
    expect(JSON.parse(readFileSync(join(dir, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' })
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
      manifests: { digest: string; size: number; annotations: Record<string, string> }[]
    }
    expect(index.manifests).toEqual([
      expect.objectContaining({
        digest: fifoImage.manifest.digest,
        size: fifoImage.manifest.bytes.length,
        annotations: { 'io.containerd.image.name': 'zjm/fifo:v1', 'org.opencontainers.image.ref.name': 'v1' }
      })
    ])
    for (const blob of [fifoImage.manifest, fifoImage.config, ...fifoImage.layers]) {
      const bytes = readFileSync(join(dir, 'blobs/sha256', hexOf(blob.digest)))
      expect(sha256(bytes)).toBe(blob.digest)
    }
  })
})

describe('registry config and references', () => {
  it('serves the storage directory on loopback without auth', () => {
    const config = parse(registryConfig('/var/lib/zjm-registry')) as Record<string, unknown>
    expect(config).toEqual({
      version: 0.1,
      log: { level: 'info' },
      storage: {
        filesystem: { rootdirectory: '/var/lib/zjm-registry' },
        maintenance: { uploadpurging: { enabled: false } }
      },
      http: { addr: '127.0.0.1:5000' },
      health: { storagedriver: { enabled: false } }
    })
    expect(() => registryConfig('relative/dir')).toThrow(/must be absolute/)
  })

  it('references images by the registry address', () => {
    const { probe, pause } = buildTestImages(BUSYBOX)
    expect(REGISTRY_ADDRESS).toBe('127.0.0.1:5000')
    expect(imageReference(probe)).toBe('127.0.0.1:5000/zjm/probe:v1')
    expect(imageReference(pause)).toBe('127.0.0.1:5000/zjm/pause:v1')
  })
})
