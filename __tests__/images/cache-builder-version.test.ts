import { describe, expect, it, jest } from '@jest/globals'
import { cacheKey, imageDirName } from '../../src/images/cache.js'
import { findImage } from '../../src/images/catalogue.js'
import * as manifest from '../../src/images/manifest.js'
import { recipeFor } from '../../src/images/recipe.js'

/** The cache module as it would be after a builder change, with the next BUILDER_VERSION. */
async function nextBuilder(): Promise<typeof import('../../src/images/cache.js')> {
  jest.resetModules()
  jest.unstable_mockModule('../../src/images/manifest.js', () => ({
    ...manifest,
    BUILDER_VERSION: manifest.BUILDER_VERSION + 1
  }))
  return import('../../src/images/cache.js')
}

describe('cache key and BUILDER_VERSION', () => {
  it('a new builder version changes the key and the directory for the same versions', async () => {
    const image = findImage('debian-11')!
    const recipe = recipeFor(image, 'http://deb.debian.org/debian')
    const versions = { 'linux-image-cloud-amd64': '5.10.247-1', 'zfs-dkms': '2.0.3-9+deb11u1' }
    const next = await nextBuilder()
    expect(next.cacheKey).not.toBe(cacheKey)
    expect(next.cacheKey(image, recipe, versions)).toMatch(/^[0-9a-f]{16}$/)
    expect(next.cacheKey(image, recipe, versions)).not.toBe(cacheKey(image, recipe, versions))
    expect(next.imageDirName('debian-11', 'k')).toBe(`debian-11-b${manifest.BUILDER_VERSION + 1}-k`)
    expect(imageDirName('debian-11', 'k')).toBe(`debian-11-b${manifest.BUILDER_VERSION}-k`)
  })
})
