import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { aboutMinutes, announceBuilds, buildEstimate } from '../../src/images/build-estimate.js'
import { findImage, type ImageSpec } from '../../src/images/catalogue.js'
import { collectingLog } from '../vm/vm-env.js'
import { tempDir } from '../helpers.js'

const spec = (name: string): ImageSpec => findImage(name)!

/** A complete cached image as the cache lays it out: only its manifest matters here. */
function cached(dir: string, dirName: string, image: string, buildSeconds: number, builtAt: string): void {
  mkdirSync(join(dir, dirName), { recursive: true })
  writeFileSync(join(dir, dirName, 'manifest.json'), JSON.stringify({ image, buildSeconds, builtAt }))
}

describe('buildEstimate', () => {
  it("takes the image's newest build on this machine, of any builder version, by its manifest's name", () => {
    const dir = tempDir()
    cached(dir, 'debian-12-b1-aaaa', 'debian-12', 404, '2026-11-20T10:00:00.000Z')
    cached(dir, 'debian-12-b1-bbbb', 'debian-12', 350, '2026-11-24T10:00:00.000Z')
    cached(dir, 'debian-12-zfs23-b1-cccc', 'debian-12-zfs23', 900, '2026-11-25T10:00:00.000Z')
    mkdirSync(join(dir, 'debian-12-b1-dddd.partial'))
    expect(buildEstimate(spec('debian-12'), dir)).toEqual({
      seconds: 350,
      source: 'its last build here took 350 s, 2026-11-24T10:00:00.000Z'
    })
  })

  it('without a build here, takes the figure measured for the catalogue', () => {
    expect(buildEstimate(spec('debian-13'), join(tempDir(), 'none'))).toEqual({
      seconds: spec('debian-13').measuredBuildSeconds,
      source: 'as measured on 2 cores under TCG'
    })
  })

  it('rounds to whole minutes, at least one', () => {
    expect([aboutMinutes(20), aboutMinutes(291), aboutMinutes(385)]).toEqual([
      'about 1 min',
      'about 5 min',
      'about 6 min'
    ])
  })
})

describe('announceBuilds', () => {
  it("names a derived image's base when the cache has neither, though the run does not test the base", () => {
    const dir = tempDir()
    const lines: string[] = []
    announceBuilds([spec('debian-13-containerd2')], dir, 2, collectingLog(lines))
    const [base, derived] = [spec('debian-13'), spec('debian-13-containerd2')]
    expect(lines).toEqual([
      `Images to build first (${dir} has none of them; built once, then reused): ` +
        `debian-13 (${aboutMinutes(base.measuredBuildSeconds)}), debian-13-containerd2 ` +
        `(${aboutMinutes(derived.measuredBuildSeconds)}), as measured on 2 cores under TCG; ` +
        `${aboutMinutes(base.measuredBuildSeconds + derived.measuredBuildSeconds)} in all with 1 at a time`
    ])
    cached(dir, 'debian-13-b1-aaaa', 'debian-13', 370, '2026-12-03T10:00:00.000Z')
    lines.length = 0
    announceBuilds([spec('debian-13-containerd2')], dir, 2, collectingLog(lines))
    expect(lines[0]).toContain('built once, then reused): debian-13-containerd2 (')
  })

  it('names the images the cache has no build of, and the time with builds of different suites together', () => {
    const dir = tempDir()
    cached(dir, 'debian-11-b1-aaaa', 'debian-11', 250, '2026-11-20T10:00:00.000Z')
    const lines: string[] = []
    const images = ['debian-11', 'debian-12', 'debian-12-zfs23', 'debian-13'].map(spec)
    announceBuilds(images, dir, 2, collectingLog(lines))
    // 291 + 385 + 362 s over two streams (two suites among the three).
    expect(lines).toEqual([
      `Images to build first (${dir} has none of them; built once, then reused): debian-12 (about 5 min), ` +
        'debian-12-zfs23 (about 6 min), debian-13 (about 6 min), as measured on 2 cores under TCG; about 9 min ' +
        'in all with 2 at a time'
    ])
  })

  it('says nothing when every image has a build, and counts one stream for one suite', () => {
    const dir = tempDir()
    cached(dir, 'debian-11-b1-aaaa', 'debian-11', 250, '2026-11-20T10:00:00.000Z')
    const lines: string[] = []
    announceBuilds([spec('debian-11')], dir, 4, collectingLog(lines))
    expect(lines).toEqual([])
    announceBuilds([spec('debian-12'), spec('debian-12-zfs23')], join(dir, 'empty'), 4, collectingLog(lines))
    expect(lines[0]).toMatch(/; about 11 min in all with 1 at a time$/)
  })
})
