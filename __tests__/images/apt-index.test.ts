import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { AptIndex, parseMadison, pickVersion } from '../../src/images/apt-index.js'
import { tempDir } from '../helpers.js'
import { byProgram, fakeExecutor } from '../fakes.js'

/** Real `apt-cache madison linux-image-cloud-amd64 zfs-dkms` output against a mirror listing four suites. */
const MADISON = `linux-image-cloud-amd64 | 6.12.117-1 | http://deb.debian.org/debian trixie/main amd64 Packages
linux-image-cloud-amd64 | 6.12.95-1~bpo12+1 | http://deb.debian.org/debian bookworm-backports/main amd64 Packages
linux-image-cloud-amd64 |  6.1.176-1 | http://deb.debian.org/debian bookworm/main amd64 Packages
  zfs-dkms | 2.3.9-0+deb13u1 | http://deb.debian.org/debian trixie/contrib amd64 Packages
  zfs-dkms | 2.3.2-2~bpo12+2 | http://deb.debian.org/debian bookworm-backports/contrib amd64 Packages
  zfs-dkms | 2.1.11-1+deb12u1 | http://deb.debian.org/debian bookworm/contrib amd64 Packages
  zfs-dkms | 2.0.3-9+deb11u1 | http://deb.debian.org/debian bullseye/contrib amd64 Packages
`

describe('parseMadison / pickVersion', () => {
  const rows = parseMadison(MADISON)

  it('parses every Packages line into name, version and release', () => {
    expect(rows).toEqual([
      { name: 'linux-image-cloud-amd64', version: '6.12.117-1', release: 'trixie/main' },
      { name: 'linux-image-cloud-amd64', version: '6.12.95-1~bpo12+1', release: 'bookworm-backports/main' },
      { name: 'linux-image-cloud-amd64', version: '6.1.176-1', release: 'bookworm/main' },
      { name: 'zfs-dkms', version: '2.3.9-0+deb13u1', release: 'trixie/contrib' },
      { name: 'zfs-dkms', version: '2.3.2-2~bpo12+2', release: 'bookworm-backports/contrib' },
      { name: 'zfs-dkms', version: '2.1.11-1+deb12u1', release: 'bookworm/contrib' },
      { name: 'zfs-dkms', version: '2.0.3-9+deb11u1', release: 'bullseye/contrib' }
    ])
  })

  it('skips source lines, notices and blank lines', () => {
    const text = [
      'N: Unable to locate package zfs-nonexistent',
      ' zfs-linux | 2.1.11-1+deb12u1 | http://deb.debian.org/debian bookworm/contrib Sources',
      '',
      '  runc | 1.1.5+ds1-1+deb12u1 | http://deb.debian.org/debian bookworm/main amd64 Packages'
    ].join('\n')
    expect(parseMadison(text)).toEqual([
      { name: 'runc', version: '1.1.5+ds1-1+deb12u1', release: 'bookworm/main' }
    ])
  })

  it('picks the version of the exact release: bookworm is not bookworm-backports', () => {
    expect(pickVersion(rows, 'linux-image-cloud-amd64', 'bookworm')).toBe('6.1.176-1')
    expect(pickVersion(rows, 'linux-image-cloud-amd64', 'bookworm-backports')).toBe('6.12.95-1~bpo12+1')
    expect(pickVersion(rows, 'linux-image-cloud-amd64', 'trixie')).toBe('6.12.117-1')
    expect(pickVersion(rows, 'zfs-dkms', 'bookworm')).toBe('2.1.11-1+deb12u1')
    expect(pickVersion(rows, 'zfs-dkms', 'bookworm-backports')).toBe('2.3.2-2~bpo12+2')
    expect(pickVersion(rows, 'zfs-dkms', 'bullseye')).toBe('2.0.3-9+deb11u1')
    expect(pickVersion(rows, 'zfs-dkms', 'trixie')).toBe('2.3.9-0+deb13u1')
  })

  it('returns undefined for a release or a package the mirror does not list', () => {
    expect(pickVersion(rows, 'linux-image-cloud-amd64', 'bullseye')).toBeUndefined()
    expect(pickVersion(rows, 'containerd', 'bookworm')).toBeUndefined()
    expect(pickVersion(rows, 'zfs-dkms', 'bookworm-back')).toBeUndefined()
  })
})

describe('AptIndex', () => {
  const SOURCES = [
    'deb http://deb.debian.org/debian bookworm main contrib',
    'deb http://deb.debian.org/debian bookworm-backports main contrib'
  ]
  const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg'

  it('options() points every apt directory at the private root', () => {
    const index = new AptIndex('/w/apt', SOURCES, KEYRING)
    expect(index.options()).toEqual([
      '-o',
      'Dir::State=/w/apt/state',
      '-o',
      'Dir::State::status=/w/apt/state/status',
      '-o',
      'Dir::Cache=/w/apt/cache',
      '-o',
      'Dir::Etc::SourceList=/w/apt/sources.list',
      '-o',
      'Dir::Etc::SourceParts=/w/apt/sources.list.d',
      '-o',
      'Dir::Etc::Preferences=/w/apt/preferences',
      '-o',
      'Dir::Etc::PreferencesParts=/w/apt/preferences.d',
      '-o',
      `Dir::Etc::Trusted=${KEYRING}`,
      '-o',
      'APT::Architecture=amd64',
      '-o',
      'Acquire::Languages=none'
    ])
    expect(index.updateCommand()).toEqual({ program: 'apt-get', args: [...index.options(), '-q', 'update'] })
    expect(index.madisonCommand(['zfs-dkms', 'runc'])).toEqual({
      program: 'apt-cache',
      args: [...index.options(), 'madison', 'zfs-dkms', 'runc']
    })
  })

  it('prepare() creates the private tree with the sources and an empty status', () => {
    const root = join(tempDir(), 'apt')
    new AptIndex(root, SOURCES, KEYRING).prepare()
    for (const d of ['state/lists/partial', 'cache/archives/partial', 'sources.list.d', 'preferences.d']) {
      expect(statSync(join(root, d)).isDirectory()).toBe(true)
    }
    expect(readFileSync(join(root, 'state/status'), 'utf8')).toBe('')
    expect(readFileSync(join(root, 'preferences'), 'utf8')).toBe('')
    expect(readFileSync(join(root, 'sources.list'), 'utf8')).toBe(`${SOURCES.join('\n')}\n`)
  })

  it('resolve() updates the private indexes, then reads each version from its release', async () => {
    const root = join(tempDir(), 'apt')
    const index = new AptIndex(root, SOURCES, KEYRING)
    const exec = fakeExecutor(byProgram({ 'apt-get': {}, 'apt-cache': { stdout: MADISON } }))
    const signal = new AbortController().signal
    const versions = await index.resolve(
      exec,
      [
        { name: 'linux-image-cloud-amd64', release: 'bookworm' },
        { name: 'zfs-dkms', release: 'bookworm-backports' },
        { name: 'zfs-dkms', release: 'bookworm-backports' }
      ],
      signal
    )
    expect(versions).toEqual({ 'linux-image-cloud-amd64': '6.1.176-1', 'zfs-dkms': '2.3.2-2~bpo12+2' })
    expect(exec.calls.map(([c]) => c)).toEqual([
      index.updateCommand(),
      index.madisonCommand(['linux-image-cloud-amd64', 'zfs-dkms'])
    ])
    expect(exec.calls[0]![1]).toEqual({ signal, timeoutMs: 600_000 })
    expect(existsSync(join(root, 'sources.list'))).toBe(true)
  })

  it('resolve() names every package the mirror lacks in the wanted release', async () => {
    const index = new AptIndex(join(tempDir(), 'apt'), SOURCES, KEYRING)
    const exec = fakeExecutor(byProgram({ 'apt-get': {}, 'apt-cache': { stdout: MADISON } }))
    await expect(
      index.resolve(exec, [
        { name: 'linux-image-cloud-amd64', release: 'bookworm' },
        { name: 'containerd', release: 'bookworm' },
        { name: 'zfs-dkms', release: 'buster' }
      ])
    ).rejects.toThrow(new Error('the mirror has no containerd (bookworm), zfs-dkms (buster)'))
  })

  it('resolve() says the indexes could not be read when apt-get update fails, and stops there', async () => {
    const index = new AptIndex(join(tempDir(), 'apt'), SOURCES, KEYRING)
    const exec = fakeExecutor(
      byProgram({
        'apt-get': {
          exitCode: 100,
          stderr:
            "Err:1 http://deb.debian.org/debian bookworm InRelease\n  Temporary failure resolving 'deb.debian.org'\nE: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease\n"
        },
        'apt-cache': { stdout: MADISON }
      })
    )
    const error = await index.resolve(exec, [{ name: 'zfs-dkms', release: 'bookworm' }]).then(
      () => undefined,
      (e: Error) => e
    )
    expect(error?.message).toMatch(
      /^could not read the package indexes from the mirror: apt-get -o Dir::State=\S+ .* failed with exit code 100:\nErr:1 /
    )
    expect(error?.message).toContain("Temporary failure resolving 'deb.debian.org'")
    expect(exec.calls.map(([c]) => c.program)).toEqual(['apt-get'])
  })

  it('resolve() fails when madison itself fails', async () => {
    const index = new AptIndex(join(tempDir(), 'apt'), SOURCES, KEYRING)
    const exec = fakeExecutor(
      byProgram({ 'apt-get': {}, 'apt-cache': { exitCode: 100, stderr: 'E: broken cache\n' } })
    )
    await expect(index.resolve(exec, [{ name: 'zfs-dkms', release: 'bookworm' }])).rejects.toThrow(
      /^apt-cache -o Dir::State=\S+ .* failed with exit code 100:\nE: broken cache$/
    )
  })
})
