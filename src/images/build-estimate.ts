import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Log } from '../log/log.js'
import { findImage, type ImageSpec } from './catalogue.js'
import { ARTIFACT_FILES, readArtifacts } from './manifest.js'

/** How long a build of an image should take, and where that figure comes from. */
export interface BuildEstimate {
  readonly seconds: number
  /** `its last build here took 404 s`, or `measured on 2 cores under TCG`. */
  readonly source: string
}

/**
 * The last build of this image on this machine (the newest manifest in the cache, of any builder
 * version: the steps are the same), or failing that the figure measured for the catalogue.
 */
export function buildEstimate(image: ImageSpec, cacheDir: string): BuildEstimate {
  const last = lastBuild(image.name, cacheDir)
  if (last !== undefined) {
    return { seconds: last.seconds, source: `its last build here took ${last.seconds} s, ${last.builtAt}` }
  }
  return { seconds: image.measuredBuildSeconds, source: 'as measured on 2 cores under TCG' }
}

function lastBuild(name: string, cacheDir: string): { seconds: number; builtAt: string } | undefined {
  if (!existsSync(cacheDir)) return undefined
  const builds = readdirSync(cacheDir)
    .filter(d => d.startsWith(`${name}-b`) && !d.includes('.partial'))
    .filter(d => existsSync(join(cacheDir, d, ARTIFACT_FILES.manifest)))
    .flatMap(d => {
      try {
        const m = readArtifacts(join(cacheDir, d)).manifest
        // The prefix `debian-12-b` cannot match `debian-12-zfs23-b1-…`, but the manifest's name is the truth.
        return m.image === name ? [{ seconds: m.buildSeconds, builtAt: m.builtAt }] : []
      } catch {
        return [] // a manifest being written, or from an older layout: no figure from it
      }
    })
  return builds.sort((a, b) => b.builtAt.localeCompare(a.builtAt))[0]
}

/** `about 7 min` (whole minutes, at least 1). */
export function aboutMinutes(seconds: number): string {
  return `about ${Math.max(1, Math.round(seconds / 60))} min`
}

/**
 * Says, before any cell starts, which of the run's images are not in the cache at all and will be
 * built first, and about how long that takes with up to `atOnce` builds together. (A cached image may
 * still be rebuilt when the mirror has moved; that is known only once its first cell asks the mirror,
 * and its build line gives its own estimate then.)
 */
export function announceBuilds(
  images: readonly ImageSpec[],
  cacheDir: string,
  atOnce: number,
  log: Log
): void {
  // A derived image needs its base built first, whether or not the run tests the base itself.
  const withBases = images.flatMap(i => {
    const base = i.derivedFrom === undefined ? undefined : findImage(i.derivedFrom)
    return base === undefined ? [i] : [base, i]
  })
  const uncached = [...new Set(withBases)].filter(i => lastBuild(i.name, cacheDir) === undefined)
  if (uncached.length === 0) return
  const total = uncached.reduce((sum, i) => sum + i.measuredBuildSeconds, 0)
  // Builds of one Debian suite share a package cache and take turns, so parallelism is bounded by both.
  const parallel = Math.max(1, Math.min(atOnce, new Set(uncached.map(i => i.suite)).size))
  const list = uncached.map(i => `${i.name} (${aboutMinutes(i.measuredBuildSeconds)})`).join(', ')
  log.info(
    `Images to build first (${cacheDir} has none of them; built once, then reused): ${list}, as measured ` +
      `on 2 cores under TCG; ${aboutMinutes(total / parallel)} in all with ${parallel} at a time`
  )
}
