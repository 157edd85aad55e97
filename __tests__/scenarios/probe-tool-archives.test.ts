import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync
} from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { processExecutor } from '../../src/exec/executor.js'
import {
  installFromArchive,
  obtainTool,
  TOOL_RELEASES,
  type ToolRelease
} from '../../src/containerd/tool-archives.js'
import { tempDir } from '../helpers.js'

const exec = processExecutor

/** A release archive as the test builds it: `files` (name → content) in a gzipped tar, plus its sha256. */
function buildArchive(files: Record<string, string>): { path: string; sha256: string } {
  const src = tempDir()
  for (const [name, content] of Object.entries(files))
    writeFileSync(join(src, name), content, { mode: 0o644 })
  const path = join(tempDir(), 'tool.tar.gz')
  execFileSync('tar', ['-czf', path, '-C', src, ...Object.keys(files)])
  return { path, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') }
}

const SCRIPT = '#!/bin/sh\necho "crictl version v1.35.0 (test build)"\n'

function localRelease(sha256: string): ToolRelease {
  return {
    ...TOOL_RELEASES.crictl,
    // Port 9 is one fetch refuses to use ("bad port"): a ready answer proves the cache answered.
    url: 'http://127.0.0.1:9/cri-tools/crictl-v1.35.0-linux-amd64.tar.gz',
    sha256
  }
}

/** What the tools directory holds: nothing but installed tool directories, never partial ones. */
function toolsEntries(cacheDir: string): string[] {
  const tools = join(cacheDir, 'tools')
  return existsSync(tools) ? readdirSync(tools) : []
}

describe('TOOL_RELEASES', () => {
  it.each(Object.entries(TOOL_RELEASES))('%s is pinned to a GitHub release archive', (name, release) => {
    expect(release.tool).toBe(name)
    expect(release.member).toBe(name)
    expect(release.version).toMatch(/^\d+\.\d+\.\d+$/)
    expect(release.url).toMatch(/^https:\/\/github\.com\/[^/]+\/[^/]+\/releases\/download\//)
    expect(release.url).toContain(`v${release.version}/`)
    expect(release.url).toMatch(
      new RegExp(`${release.version.replace(/\./g, '\\.')}-linux-amd64\\.tar\\.gz$`)
    )
    expect(release.sha256).toMatch(/^[0-9a-f]{64}$/)
  })
})

describe('obtainTool against the real network', () => {
  it('downloads the pinned crictl, or says why it could not and leaves no debris', async () => {
    const cacheDir = tempDir()
    const release = TOOL_RELEASES.crictl
    const result = await obtainTool(release, { cacheDir, exec, timeoutMs: 15_000 })
    if (result.kind === 'unavailable') {
      console.info(`offline path: ${result.reason}`)
      expect(result.reason).toContain('crictl 1.35.0')
      expect(result.reason).toContain(release.url)
      // The cause after the URL: fetch's words with why (DNS, refused, TLS), a timeout, or an HTTP status.
      expect(result.reason).toContain(`could not be downloaded from ${release.url}: `)
      expect(result.reason.slice(result.reason.indexOf(`${release.url}: `) + release.url.length + 2)).toMatch(
        /^(fetch failed \(.+\)|timed out after \d+s|HTTP \d{3}.*)$/
      )
      expect(toolsEntries(cacheDir)).toEqual([])
    } else {
      console.info(`online path: crictl installed at ${result.path}`)
      expect(result.path).toBe(join(cacheDir, 'tools', 'crictl-1.35.0', 'crictl'))
      expect(result.version).toBe('1.35.0')
      accessSync(result.path, constants.X_OK)
      expect(readFileSync(join(cacheDir, 'tools', 'crictl-1.35.0', 'archive.sha256'), 'utf8')).toMatch(
        new RegExp(`^${release.sha256}\\s`)
      )
      expect(toolsEntries(cacheDir)).toEqual(['crictl-1.35.0'])
    }
  }, 30_000)

  it('is unavailable, not an exception, when the caller has already cancelled', async () => {
    const cacheDir = tempDir()
    const controller = new AbortController()
    controller.abort()
    const result = await obtainTool(TOOL_RELEASES.nerdctl, { cacheDir, exec, signal: controller.signal })
    expect(result).toEqual({
      kind: 'unavailable',
      reason: `nerdctl 2.3.0 could not be downloaded from ${TOOL_RELEASES.nerdctl.url}: cancelled`
    })
    expect(toolsEntries(cacheDir)).toEqual([])
  })
})

describe('installFromArchive', () => {
  it('installs the verified binary, executable, with the pinned checksum beside it', async () => {
    const archive = buildArchive({ crictl: SCRIPT, README: 'not extracted' })
    const cacheDir = tempDir()
    const release = localRelease(archive.sha256)
    const result = await installFromArchive(release, archive.path, { cacheDir, exec })
    const dir = join(cacheDir, 'tools', 'crictl-1.35.0')
    expect(result).toEqual({ kind: 'ready', path: join(dir, 'crictl'), version: '1.35.0' })
    accessSync(join(dir, 'crictl'), constants.X_OK)
    expect(execFileSync(join(dir, 'crictl'), { encoding: 'utf8' })).toBe(
      'crictl version v1.35.0 (test build)\n'
    )
    expect(readFileSync(join(dir, 'archive.sha256'), 'utf8')).toBe(
      `${archive.sha256}  crictl-v1.35.0-linux-amd64.tar.gz\n`
    )
    expect(readdirSync(dir).sort()).toEqual(['archive.sha256', 'crictl'])
    expect(toolsEntries(cacheDir)).toEqual(['crictl-1.35.0'])
  })

  it('refuses an archive whose sha256 is not the pinned one, naming both', async () => {
    const archive = buildArchive({ crictl: SCRIPT })
    const cacheDir = tempDir()
    const pinned = 'ab'.repeat(32)
    const result = await installFromArchive(localRelease(pinned), archive.path, { cacheDir, exec })
    expect(result.kind).toBe('unavailable')
    if (result.kind !== 'unavailable') return
    expect(result.reason).toContain('crictl 1.35.0')
    expect(result.reason).toContain(`archive sha256 is ${archive.sha256}, expected ${pinned}`)
    expect(result.reason).toContain("kubespray's checksums.yml")
    expect(toolsEntries(cacheDir)).toEqual([])
  })

  it('is unavailable, naming the member, when the archive lacks it', async () => {
    const archive = buildArchive({ 'crictl-renamed': SCRIPT })
    const cacheDir = tempDir()
    const result = await installFromArchive(localRelease(archive.sha256), archive.path, { cacheDir, exec })
    expect(result).toEqual({
      kind: 'unavailable',
      reason: `crictl 1.35.0 from ${localRelease('').url}: archive has no crictl`
    })
    expect(toolsEntries(cacheDir)).toEqual([])
  })

  it('is unavailable when the member is a directory, not a binary', async () => {
    const src = tempDir()
    mkdirSync(join(src, 'crictl'))
    writeFileSync(join(src, 'crictl', 'inside'), 'x')
    const path = join(tempDir(), 'dir.tar.gz')
    execFileSync('tar', ['-czf', path, '-C', src, 'crictl'])
    const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex')
    const cacheDir = tempDir()
    const result = await installFromArchive(localRelease(sha256), path, { cacheDir, exec })
    expect(result.kind).toBe('unavailable')
    if (result.kind === 'unavailable')
      expect(result.reason).toContain('crictl in the archive is not a regular file')
    expect(toolsEntries(cacheDir)).toEqual([])
  })

  it('keeps an existing install when another one lands first', async () => {
    const archive = buildArchive({ crictl: SCRIPT })
    const cacheDir = tempDir()
    const release = localRelease(archive.sha256)
    const [a, b] = await Promise.all([
      installFromArchive(release, archive.path, { cacheDir, exec }),
      installFromArchive(release, archive.path, { cacheDir, exec })
    ])
    expect(a).toEqual(b)
    expect(a.kind).toBe('ready')
    expect(toolsEntries(cacheDir)).toEqual(['crictl-1.35.0'])
  })
})

describe('obtainTool from the cache', () => {
  it('answers ready from an earlier install without touching the network', async () => {
    const archive = buildArchive({ crictl: SCRIPT })
    const cacheDir = tempDir()
    const release = localRelease(archive.sha256)
    const installed = await installFromArchive(release, archive.path, { cacheDir, exec })
    expect(installed.kind).toBe('ready')
    const again = await obtainTool(release, { cacheDir, exec, timeoutMs: 2_000 })
    expect(again).toEqual(installed)
  })

  it('does not serve an install made from a differently pinned archive', async () => {
    const archive = buildArchive({ crictl: SCRIPT })
    const cacheDir = tempDir()
    await installFromArchive(localRelease(archive.sha256), archive.path, { cacheDir, exec })
    // The pin was bumped: the cached binary no longer counts, and the download is attempted (fetch refuses
    // port 9 outright: "bad port").
    const bumped = localRelease('cd'.repeat(32))
    const result = await obtainTool(bumped, { cacheDir, exec, timeoutMs: 5_000 })
    expect(result.kind).toBe('unavailable')
    if (result.kind === 'unavailable') {
      expect(result.reason).toMatch(
        /^crictl 1\.35\.0 could not be downloaded from http:\/\/127\.0\.0\.1:9\/\S+: fetch failed \(.+\)$/
      )
    }
    expect(toolsEntries(cacheDir)).toEqual(['crictl-1.35.0'])
  })

  it('replaces a stale install once the newly pinned archive is installed', async () => {
    const first = buildArchive({ crictl: '#!/bin/sh\necho old\n' })
    const second = buildArchive({ crictl: '#!/bin/sh\necho new\n' })
    const cacheDir = tempDir()
    await installFromArchive(localRelease(first.sha256), first.path, { cacheDir, exec })
    const result = await installFromArchive(localRelease(second.sha256), second.path, { cacheDir, exec })
    expect(result.kind).toBe('ready')
    if (result.kind === 'ready') expect(execFileSync(result.path, { encoding: 'utf8' })).toBe('new\n')
    expect(toolsEntries(cacheDir)).toEqual(['crictl-1.35.0'])
  })
})
