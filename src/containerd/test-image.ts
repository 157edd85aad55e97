/**
 * The two container images the probe pulls: a tiny busybox image with two layers (the second one
 * whiting out a file of the first, so the snapshotter's layer handling is exercised) and a pause image
 * for the CRI sandbox sharing its first layer. They are built here, from the node's own busybox-static
 * binary, instead of being pulled from the internet: the guests have no outbound access, and the bytes,
 * hence the digests, are fixed for a given busybox.
 *
 * Layers are uncompressed tars, so a layer's digest is its diff id and nothing depends on a gzip
 * implementation.
 */
import { createHash } from 'node:crypto'
import { tarArchive, type TarEntry } from './tar.js'

export interface Blob {
  /** `sha256:<hex>` of `bytes` */
  readonly digest: string
  readonly mediaType: string
  readonly bytes: Buffer
}

export interface OciImage {
  /** e.g. `zjm/probe`, without the registry address */
  readonly repository: string
  readonly tag: string
  readonly manifest: Blob
  readonly config: Blob
  readonly layers: readonly Blob[]
  /** digest of each layer's uncompressed tar, as listed in the config's rootfs */
  readonly diffIds: readonly string[]
  /**
   * chain id of each layer (OCI image spec: ChainID(L0)=DiffID(L0),
   * ChainID(Ln)=sha256(ChainID(Ln-1)+" "+DiffID(Ln))), the last one names the image's top snapshot in
   * containerd
   */
  readonly chainIds: readonly string[]
}

export interface TestImages {
  readonly probe: OciImage
  readonly pause: OciImage
}

export const MEDIA_TYPES = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar'
} as const

/**
 * Paths the in-container check uses: `lower` comes from layer 1, `deleted` is in layer 1 but whited
 * out by layer 2 (must be absent), `upper` comes from layer 2.
 */
export const PROBE_FILES = {
  lower: '/data/lower.txt',
  deleted: '/data/deleted.txt',
  upper: '/data/upper.txt'
} as const

/** Contents of the probe files, for the in-container check to compare against. */
export const PROBE_CONTENTS = {
  lower: 'from layer 1\n',
  deleted: 'deleted by layer 2\n',
  upper: 'from layer 2\n'
} as const

/** The busybox applets the test image links; the probe's container check uses some of them. */
export const APPLETS = [
  'sh',
  'ls',
  'cat',
  'echo',
  'mv',
  'rm',
  'id',
  'sleep',
  'test',
  'touch',
  'mkdir',
  'uname',
  'true',
  'false',
  'grep'
] as const

/** The images' creation time: the epoch, so the config does not depend on when it was built. */
const EPOCH = '1970-01-01T00:00:00Z'

/** Builds both images; the same busybox bytes always give the same blobs. */
export function buildTestImages(busybox: Buffer): TestImages {
  const base = layerBlob(baseLayer(busybox))
  const upper = layerBlob(upperLayer())
  return {
    probe: image('zjm/probe', 'v1', [base, upper], { Env: ['PATH=/bin'], Cmd: ['/bin/sh'], WorkingDir: '/' }),
    pause: image('zjm/pause', 'v1', [base], { Env: ['PATH=/bin'], Cmd: ['/bin/sleep', '2147483647'] })
  }
}

/** `sha256:<hex>` of the bytes. */
export function sha256Digest(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

function baseLayer(busybox: Buffer): readonly TarEntry[] {
  const dir = (path: string, mode = 0o755): TarEntry => ({ path, type: 'dir', mode })
  const file = (path: string, content: string | Buffer, mode = 0o644): TarEntry => ({
    path,
    type: 'file',
    mode,
    content: typeof content === 'string' ? Buffer.from(content, 'utf8') : content
  })
  return [
    dir('bin'),
    file('bin/busybox', busybox, 0o755),
    ...APPLETS.map((applet): TarEntry => ({
      path: `bin/${applet}`,
      type: 'symlink',
      mode: 0o777,
      linkTarget: 'busybox'
    })),
    dir('etc'),
    file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n'),
    file('etc/group', 'root:x:0:\n'),
    dir('data'),
    file('data/lower.txt', PROBE_CONTENTS.lower),
    file('data/deleted.txt', PROBE_CONTENTS.deleted),
    dir('root', 0o700),
    dir('tmp', 0o1777),
    dir('proc'),
    dir('sys'),
    dir('dev'),
    dir('run')
  ]
}

function upperLayer(): readonly TarEntry[] {
  return [
    { path: 'data', type: 'dir', mode: 0o755 },
    // An OCI whiteout: an empty file named .wh.<name> deletes <name> from the layers below.
    { path: 'data/.wh.deleted.txt', type: 'file', mode: 0o644, content: Buffer.alloc(0) },
    { path: 'data/upper.txt', type: 'file', mode: 0o644, content: Buffer.from(PROBE_CONTENTS.upper, 'utf8') }
  ]
}

function layerBlob(entries: readonly TarEntry[]): Blob {
  return blob(MEDIA_TYPES.layer, tarArchive(entries))
}

function blob(mediaType: string, bytes: Buffer): Blob {
  return { digest: sha256Digest(bytes), mediaType, bytes }
}

export interface ProcessConfig {
  readonly Env: readonly string[]
  readonly Cmd: readonly string[]
  readonly WorkingDir?: string
}

/**
 * An image of the given layers, each an entry list: for images other than the probe's own, such as the
 * one whose lower layer holds a named pipe, which only some snapshotters can unpack.
 */
export function imageOfLayers(
  repository: string,
  tag: string,
  layers: readonly (readonly TarEntry[])[],
  process: ProcessConfig
): OciImage {
  return image(repository, tag, layers.map(layerBlob), process)
}

/**
 * The image as an OCI image layout archive, the form `ctr images import` reads; the index names it
 * `repository:tag` the way containerd's importer looks the name up.
 */
export function ociLayoutArchive(img: OciImage): Buffer {
  const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8')
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: img.manifest.mediaType,
        digest: img.manifest.digest,
        size: img.manifest.bytes.length,
        annotations: {
          'io.containerd.image.name': `${img.repository}:${img.tag}`,
          'org.opencontainers.image.ref.name': img.tag
        }
      }
    ]
  }
  const blobs = [img.manifest, img.config, ...img.layers].filter(
    (b, i, all) => all.findIndex(o => o.digest === b.digest) === i
  )
  return tarArchive([
    { path: 'oci-layout', type: 'file', mode: 0o644, content: json({ imageLayoutVersion: '1.0.0' }) },
    { path: 'index.json', type: 'file', mode: 0o644, content: json(index) },
    { path: 'blobs', type: 'dir', mode: 0o755 },
    { path: 'blobs/sha256', type: 'dir', mode: 0o755 },
    ...blobs.map((b): TarEntry => ({
      path: `blobs/sha256/${b.digest.slice('sha256:'.length)}`,
      type: 'file',
      mode: 0o644,
      content: b.bytes
    }))
  ])
}

function image(repository: string, tag: string, layers: readonly Blob[], process: ProcessConfig): OciImage {
  const diffIds = layers.map(layer => layer.digest)
  const chainIds = chainIdsOf(diffIds)
  // Literal objects so the key order, hence the bytes, are fixed.
  const config = blob(
    MEDIA_TYPES.config,
    Buffer.from(
      JSON.stringify({
        created: EPOCH,
        architecture: 'amd64',
        os: 'linux',
        config: process,
        rootfs: { type: 'layers', diff_ids: diffIds },
        history: layers.map((_, i) => ({
          created: EPOCH,
          created_by: `zfs-join-matrix test image layer ${i + 1}`
        }))
      }),
      'utf8'
    )
  )
  const descriptor = (b: Blob): { mediaType: string; digest: string; size: number } => ({
    mediaType: b.mediaType,
    digest: b.digest,
    size: b.bytes.length
  })
  const manifest = blob(
    MEDIA_TYPES.manifest,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.manifest,
        config: descriptor(config),
        layers: layers.map(descriptor)
      }),
      'utf8'
    )
  )
  return { repository, tag, manifest, config, layers, diffIds, chainIds }
}

function chainIdsOf(diffIds: readonly string[]): string[] {
  const chain: string[] = []
  for (const diffId of diffIds) {
    const previous = chain.at(-1)
    chain.push(previous === undefined ? diffId : sha256Digest(`${previous} ${diffId}`))
  }
  return chain
}
