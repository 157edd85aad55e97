/**
 * What the guest's Debian `docker-registry` (distribution v2.7/2.8, filesystem storage driver) serves
 * the test images from. Writing its storage layout directly avoids needing a push client in the guest;
 * the pull path (registry HTTP API, then containerd) stays fully real.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join } from 'node:path'
import type { OciImage } from './test-image.js'

/** Where the guest's registry listens: loopback only, plain HTTP. */
export const REGISTRY_ADDRESS = '127.0.0.1:5000'

const V2 = 'docker/registry/v2'

/**
 * The registry's storage tree for the images: file paths relative to the storage root directory, with
 * their bytes. Every blob is stored once however many images use it; each repository links the blobs it
 * may serve (layers and config), its manifest revision and its tag. Link files hold `sha256:<hex>`
 * without a newline, as the registry writes them.
 */
export function registryStorageTree(images: readonly OciImage[]): Map<string, Buffer> {
  const tree = new Map<string, Buffer>()
  const put = (path: string, bytes: Buffer): void => {
    const existing = tree.get(path)
    if (existing !== undefined && !existing.equals(bytes)) {
      throw new Error(`registry layout: two different contents for ${path}`)
    }
    tree.set(path, bytes)
  }
  const link = (path: string, digest: string): void => {
    digestHex(digest)
    put(path, Buffer.from(digest, 'ascii'))
  }

  const tags = new Set<string>()
  for (const image of images) {
    const reference = `${image.repository}:${image.tag}`
    if (tags.has(reference)) throw new Error(`registry layout: ${reference} is given twice`)
    tags.add(reference)
    if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(image.repository)) {
      throw new Error(`registry layout: ${JSON.stringify(image.repository)} is not a repository name`)
    }
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(image.tag)) {
      throw new Error(`registry layout: ${JSON.stringify(image.tag)} is not a tag`)
    }

    for (const blob of [...image.layers, image.config, image.manifest]) {
      const hex = digestHex(blob.digest)
      put(`${V2}/blobs/sha256/${hex.slice(0, 2)}/${hex}/data`, blob.bytes)
    }
    const repo = `${V2}/repositories/${image.repository}`
    for (const blob of [...image.layers, image.config]) {
      link(`${repo}/_layers/sha256/${digestHex(blob.digest)}/link`, blob.digest)
    }
    const manifestHex = digestHex(image.manifest.digest)
    link(`${repo}/_manifests/revisions/sha256/${manifestHex}/link`, image.manifest.digest)
    link(`${repo}/_manifests/tags/${image.tag}/current/link`, image.manifest.digest)
    link(`${repo}/_manifests/tags/${image.tag}/index/sha256/${manifestHex}/link`, image.manifest.digest)
  }
  return tree
}

/** Writes the tree under `root`, creating directories as needed. */
export function writeTree(root: string, tree: ReadonlyMap<string, Buffer>): void {
  for (const [path, bytes] of tree) {
    if (isAbsolute(path) || path.split('/').some(part => part === '' || part === '.' || part === '..')) {
      throw new Error(`registry layout: ${JSON.stringify(path)} is not a plain relative path`)
    }
    const target = join(root, path)
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, bytes)
  }
}

/**
 * Configuration for `docker-registry serve`: the filesystem driver on `storageDir`, listening on
 * REGISTRY_ADDRESS, without the htpasswd auth Debian's packaged configuration asks for. The storage
 * driver health check and upload purging are off: the registry only ever serves the tree written above.
 */
export function registryConfig(storageDir: string): string {
  if (!isAbsolute(storageDir)) throw new Error(`registry storage directory ${storageDir} must be absolute`)
  // A JSON string is a valid YAML double-quoted scalar, whatever the path contains.
  return [
    'version: 0.1',
    'log:',
    '  level: info',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(storageDir)}`,
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${REGISTRY_ADDRESS}`,
    'health:',
    '  storagedriver:',
    '    enabled: false',
    ''
  ].join('\n')
}

/** The reference containerd pulls the image by, e.g. `127.0.0.1:5000/zjm/probe:v1`. */
export function imageReference(image: OciImage): string {
  return `${REGISTRY_ADDRESS}/${image.repository}:${image.tag}`
}

function digestHex(digest: string): string {
  const match = /^sha256:([0-9a-f]{64})$/.exec(digest)
  if (match?.[1] === undefined)
    throw new Error(`registry layout: ${JSON.stringify(digest)} is not a sha256 digest`)
  return match[1]
}
