import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { HostContext } from '../host/context.js'
import { withDirLock } from '../host/dir-lock.js'
import { fillDir } from '../host/fill-dir.js'
import { AptIndex } from './apt-index.js'
import { aboutMinutes, buildEstimate } from './build-estimate.js'
import { buildImage } from './builder.js'
import { findImage, type ImageSpec } from './catalogue.js'
import { deriveImage } from './derive.js'
import { ARTIFACT_FILES, BUILDER_VERSION, readArtifacts, type ImageArtifacts } from './manifest.js'
import { recipeFor, type ImageRecipe } from './recipe.js'
import type { RemoteCache } from '../host/remote-cache.js'
import { errorMessage } from '../text/error-message.js'

export interface ImageCacheOptions {
  /** Where built images are kept between runs. */
  readonly dir: string
  readonly mirror: string
  /** Debian's archive keyring, to verify the mirror's indexes. */
  readonly keyring?: string
  /** Shared between machines (GitHub's cache service on runners); tried before building, filled after. */
  readonly remote?: RemoteCache
}

export const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg'

/**
 * The cache key: the image, the builder's version, the recipe and the package versions the mirror serves
 * now. A point release or a security update of the kernel, OpenZFS or containerd changes it; nothing else.
 */
export function cacheKey(
  image: ImageSpec,
  recipe: ImageRecipe,
  versions: Readonly<Record<string, string>>,
  /** The key of the image this one is derived from: a new base makes a new image. */
  baseKey?: string
): string {
  const material = JSON.stringify({
    image: image.name,
    builder: BUILDER_VERSION,
    packages: [...recipe.packages],
    zfs: recipe.zfs,
    versions: Object.entries(versions).sort(([a], [b]) => a.localeCompare(b)),
    ...(baseKey === undefined ? {} : { base: baseKey })
  })
  return createHash('sha256').update(material).digest('hex').slice(0, 16)
}

/** An image's key in the remote cache: its cache directory name. */
export function remoteCacheKey(dirName: string): string {
  return `zfs-join-matrix-image-${dirName}`
}

export function imageDirName(image: string, key: string): string {
  return `${image}-b${BUILDER_VERSION}-${key}`
}

/** Returns the image from the cache, building it when the mirror has moved or it was never built. */
export async function ensureImage(
  image: ImageSpec,
  options: ImageCacheOptions,
  ctx: HostContext
): Promise<ImageArtifacts> {
  const recipe = recipeFor(image, options.mirror)
  const keyring = options.keyring ?? DEBIAN_KEYRING
  if (!existsSync(keyring)) {
    throw new Error(
      `${keyring} is missing: install the debian-archive-keyring package to verify Debian's mirror`
    )
  }
  mkdirSync(options.dir, { recursive: true })
  // The base first: its key is part of this image's, and a derived image starts from its files.
  const base = image.derivedFrom === undefined ? undefined : await ensureImage(baseOf(image), options, ctx)
  let versions: Record<string, string>
  try {
    const index = new AptIndex(join(ctx.workDir, `apt-${image.name}`), recipe.sources, keyring)
    versions = await index.resolve(ctx.exec, recipe.tracked, ctx.signal)
  } catch (e) {
    const cached = newestCached(options.dir, image.name)
    if (cached === undefined) throw new Error(`cannot build ${image.name}: ${errorMessage(e)}`)
    ctx.log.warning(
      `${image.name}: ${errorMessage(e)}; using the cached image built ${cached.manifest.builtAt}`
    )
    return cached
  }
  const key = cacheKey(image, recipe, versions, base?.manifest.key)
  const dirName = imageDirName(image.name, key)
  const dir = join(options.dir, dirName)
  const described = `${key} (kernel ${versions['linux-image-cloud-amd64']}, OpenZFS ${versions['zfs-dkms']})`
  const cached = (): ImageArtifacts | undefined =>
    existsSync(join(dir, ARTIFACT_FILES.manifest)) ? readArtifacts(dir) : undefined
  const found = cached()
  if (found !== undefined) {
    ctx.log.info(`${image.name}: cached image ${described}`)
    return found
  }
  // One build per image at a time on this machine: a second run waits and takes the first's image.
  return withDirLock(
    `${dir}.lock`,
    `${image.name}: waiting for another process building image ${key}`,
    async () => {
      const built = cached()
      if (built !== undefined) {
        ctx.log.info(`${image.name}: image ${described}, built by another process meanwhile`)
        return built
      }
      return fetchOrBuild({ image, recipe, versions, options, ctx, key, dirName, dir, described, base })
    },
    ctx
  )
}

/** One image to get into the cache: what it is, where it goes, and the run's host. */
interface CacheJob {
  readonly image: ImageSpec
  readonly recipe: ImageRecipe
  readonly versions: Readonly<Record<string, string>>
  readonly options: ImageCacheOptions
  readonly ctx: HostContext
  readonly key: string
  readonly dirName: string
  readonly dir: string
  readonly described: string
  /** The image this one is derived from, when the catalogue says so. */
  readonly base: ImageArtifacts | undefined
}

/** From the shared cache if it has the image, else built here. */
async function fetchOrBuild(job: CacheJob): Promise<ImageArtifacts> {
  const { image, options, ctx, dirName, dir, described } = job
  if (options.remote !== undefined && (await options.remote.restore(dir, remoteCacheKey(dirName)))) {
    if (existsSync(join(dir, ARTIFACT_FILES.manifest))) {
      ctx.log.info(`${image.name}: image ${described} restored from the shared cache`)
      return readArtifacts(dir)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const debCache = join(options.dir, `debs-${image.suite}`)
  // Images of one suite share a package cache, which apt locks: their builds take turns. A derived
  // image's apt runs in its own copy of the base's root and never opens that cache.
  const manifest =
    job.base === undefined
      ? await withDirLock(
          `${debCache}.lock`,
          `${image.name}: waiting for another build using the ${image.suite} package cache`,
          () => build(job, debCache),
          ctx
        )
      : await build(job, debCache)
  ctx.log.info(
    `${image.name}: built in ${manifest.buildSeconds}s: kernel ${manifest.kernel}, OpenZFS ${manifest.openzfs}`
  )
  await options.remote?.save(dir, remoteCacheKey(dirName))
  return readArtifacts(dir)
}

function build(job: CacheJob, debCache: string) {
  const { image, recipe, versions, options, ctx, key, dir, base } = job
  const estimate = buildEstimate(image, options.dir)
  const from =
    base === undefined
      ? `from ${options.mirror} (${image.suite}`
      : `from ${base.manifest.image} ${base.manifest.key} and ${options.mirror} (its recipe's changes only`
  ctx.log.info(
    `${image.name}: building image ${key} ${from}; ${aboutMinutes(estimate.seconds)}: ${estimate.source})`
  )
  // Built beside its final place and renamed when complete, so a killed build never looks cached.
  return fillDir(
    dir,
    async partial => {
      const request = {
        image,
        recipe,
        mirror: options.mirror,
        key,
        outDir: partial,
        expectedSeconds: estimate.seconds
      }
      const built =
        base === undefined
          ? await buildImage({ ...request, debCache }, ctx)
          : await deriveImage({ ...request, base }, ctx)
      writeFileSync(join(partial, 'versions.json'), `${JSON.stringify(versions, null, 2)}\n`)
      return built
    },
    ctx.ledger
  )
}

/** The catalogue entry an image is derived from; the catalogue's tests check that it exists. */
function baseOf(image: ImageSpec): ImageSpec {
  const base = image.derivedFrom === undefined ? undefined : findImage(image.derivedFrom)
  if (base === undefined)
    throw new Error(`${image.name} is derived from an image the catalogue lacks: ${image.derivedFrom}`)
  return base
}

/** The most recently built complete image of this name and builder version, for offline runs. */
export function newestCached(cacheDir: string, image: string): ImageArtifacts | undefined {
  if (!existsSync(cacheDir)) return undefined
  const prefix = `${image}-b${BUILDER_VERSION}-`
  return readdirSync(cacheDir)
    .filter(
      d =>
        d.startsWith(prefix) &&
        !d.includes('.partial') &&
        existsSync(join(cacheDir, d, ARTIFACT_FILES.manifest))
    )
    .map(d => join(cacheDir, d))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
    .map(readArtifacts)[0]
}
