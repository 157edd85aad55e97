import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { strToU8, zipSync } from 'fflate'
import {
  EVENT_FILE,
  findEventFile,
  parseResultsArtifactName,
  resultsArtifactName,
  unpack
} from '../../src/github/artifacts.js'
import { tempDir } from '../helpers.js'

const PREFIX = 'zfs-join-results'

describe('resultsArtifactName / parseResultsArtifactName', () => {
  it('names a shard and attempt', () => {
    expect(resultsArtifactName(PREFIX, { index: 2, count: 4 }, 3)).toBe(
      'zfs-join-results-shard-2-of-4-attempt-3'
    )
  })

  it('names an unsharded run shard 1 of 1', () => {
    expect(resultsArtifactName(PREFIX, null, 1)).toBe('zfs-join-results-shard-1-of-1-attempt-1')
    expect(parseResultsArtifactName(PREFIX, resultsArtifactName(PREFIX, null, 2))).toEqual({
      index: 1,
      count: 1,
      attempt: 2
    })
  })

  it.each([
    [{ index: 1, count: 1 }, 1],
    [{ index: 3, count: 7 }, 2],
    [{ index: 256, count: 256 }, 12]
  ])('round-trips shard %j attempt %p', (shard, attempt) => {
    expect(parseResultsArtifactName(PREFIX, resultsArtifactName(PREFIX, shard, attempt))).toEqual({
      ...shard,
      attempt
    })
  })

  it('round-trips a prefix that itself contains -shard-', () => {
    const prefix = 'nightly-shard-1-of-2'
    const name = resultsArtifactName(prefix, { index: 2, count: 3 }, 1)
    expect(name).toBe('nightly-shard-1-of-2-shard-2-of-3-attempt-1')
    expect(parseResultsArtifactName(prefix, name)).toEqual({ index: 2, count: 3, attempt: 1 })
    // The shorter prefix does not claim the longer one's artifacts.
    expect(parseResultsArtifactName('nightly', name)).toBeNull()
  })

  it.each([
    'other-results-shard-1-of-2-attempt-1',
    'zfs-join-results',
    'zfs-join-results-',
    'zfs-join-results-shard-1-of-2',
    'zfs-join-results-shard-1-of-2-attempt-',
    'zfs-join-resultsX-shard-1-of-2-attempt-1',
    'zfs-join-results-X-shard-1-of-2-attempt-1',
    'zfs-join-results-shard-1-of-2-attempt-1-extra',
    'zfs-join-results-shard-1-of-2-attempt-1.zip',
    'zfs-join-results-shard-a-of-2-attempt-1',
    'zfs-join-results-shard--1-of-2-attempt-1',
    'zfs-join-results-shard-1-of-2-attempt-1\n',
    'xzfs-join-results-shard-1-of-2-attempt-1',
    'ZFS-JOIN-RESULTS-shard-1-of-2-attempt-1',
    // Shapes no plan makes (names can come from a fork's run): refused before anything is sized by them.
    'zfs-join-results-shard-0-of-0-attempt-1',
    'zfs-join-results-shard-3-of-2-attempt-1',
    'zfs-join-results-shard-1-of-257-attempt-1',
    'zfs-join-results-shard-1-of-4000000000-attempt-1',
    'zfs-join-results-shard-1-of-2-attempt-0'
  ])('rejects %j', name => {
    expect(parseResultsArtifactName(PREFIX, name)).toBeNull()
  })
})

/** Every path under `dir`, relative, directories ending in `/`, sorted. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map(e => {
      const rel = join(e.parentPath, e.name).slice(dir.length + 1)
      return e.isDirectory() ? `${rel}/` : rel
    })
    .sort()
}

describe('unpack', () => {
  it('writes files and nested directories, counting the files', () => {
    const dir = join(tempDir(), 'artifact')
    const zip = zipSync({
      'results.json': strToU8('{"cells":[]}'),
      'event.json': strToU8('{}'),
      logs: { 'debian-12': { 'zfs-ctr.log': strToU8('log line\n') } },
      empty: {}
    })
    expect(unpack(zip, dir)).toBe(3)
    expect(tree(dir)).toEqual([
      'empty/',
      'event.json',
      'logs/',
      'logs/debian-12/',
      'logs/debian-12/zfs-ctr.log',
      'results.json'
    ])
    expect(readFileSync(join(dir, 'logs/debian-12/zfs-ctr.log'), 'utf8')).toBe('log line\n')
    expect(readFileSync(join(dir, 'results.json'), 'utf8')).toBe('{"cells":[]}')
  })

  it('keeps an entry whose .. stays inside the directory', () => {
    const dir = join(tempDir(), 'artifact')
    expect(unpack(zipSync({ 'a/../b.txt': strToU8('b') }), dir)).toBe(1)
    expect(tree(dir)).toEqual(['b.txt'])
  })

  it.each(['../evil', 'a/../../evil', '/abs', '/tmp/evil', '..', '../', 'logs/../../../evil'])(
    'refuses the entry %j and writes nothing outside the directory',
    name => {
      const parent = tempDir()
      const dir = join(parent, 'artifact')
      expect(() => unpack(zipSync({ [name]: strToU8('pwned') }), dir)).toThrow(
        `refusing artifact entry ${JSON.stringify(name)}: it points outside ${dir}`
      )
      expect(readdirSync(parent).filter(e => e !== 'artifact')).toEqual([])
      expect(existsSync(dir) ? tree(dir) : []).toEqual([])
      expect(existsSync(join(parent, 'evil'))).toBe(false)
    }
  )

  it('refuses the whole zip when a later entry escapes, writing only what came before inside', () => {
    const parent = tempDir()
    const dir = join(parent, 'artifact')
    const zip = zipSync({ 'ok.txt': strToU8('ok'), '../evil': strToU8('pwned') })
    expect(() => unpack(zip, dir)).toThrow(/refusing artifact entry "\.\.\/evil"/)
    expect(readdirSync(parent)).toEqual(['artifact'])
    expect(tree(dir)).toEqual(['ok.txt'])
  })
})

describe('findEventFile', () => {
  const event = (dir: string, content = '{}'): string => {
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, EVENT_FILE), content)
    return join(dir, EVENT_FILE)
  }

  it('is null for a missing or empty directory', () => {
    const dir = tempDir()
    expect(findEventFile(join(dir, 'missing'))).toBeNull()
    expect(findEventFile(dir)).toBeNull()
    mkdirSync(join(dir, 'a', 'b'), { recursive: true })
    writeFileSync(join(dir, 'a', 'other.json'), '{}')
    expect(findEventFile(dir)).toBeNull()
  })

  it('prefers the event file in the directory itself', () => {
    const dir = tempDir()
    event(join(dir, 'a-artifact'))
    const own = event(dir)
    expect(own).toBe(join(dir, 'event.json'))
    expect(findEventFile(dir)).toBe(own)
  })

  it('else takes the first sub-directory in name order that has one', () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'a-empty'))
    const second = event(join(dir, 'zfs-join-results-shard-2-of-2-attempt-1'))
    const first = event(join(dir, 'zfs-join-results-shard-1-of-2-attempt-1'))
    writeFileSync(join(dir, 'b-file'), 'x')
    expect(findEventFile(dir)).toBe(first)
    expect(second).not.toBe(first)
  })

  it('looks into nested directories', () => {
    const dir = tempDir()
    const nested = event(join(dir, 'artifacts', 'zfs-join-results-shard-1-of-1-attempt-1'))
    expect(findEventFile(dir)).toBe(nested)
  })

  it('ignores files that are not called event.json', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'event.json.bak'), '{}')
    writeFileSync(join(dir, 'Event.json'), '{}')
    expect(findEventFile(dir)).toBeNull()
  })
})
