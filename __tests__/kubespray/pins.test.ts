/**
 * `probe-binaries: checkout`: what the checkout pins, read by real Ansible from the master-shaped
 * fixture, and the pinned files fetched from a real HTTP server on 127.0.0.1 (never the internet).
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from '@jest/globals'
import { processExecutor } from '../../src/exec/executor.js'
import { parsePins, readPins } from '../../src/kubespray/render/pins.js'
import { readRenderRecipe } from '../../src/kubespray/render/render-recipe.js'
import { obtainPinned } from '../../src/scenarios/probe/pinned-binaries.js'
import { recordingLog } from '../fakes.js'
import { tempDir } from '../helpers.js'
import { renderFixture } from '../kubespray-fixtures.js'

const FIXTURE_SHA = createHash('sha256').update('fixture').digest('hex')

async function pinsOf(userVars: Record<string, unknown>) {
  const dir = tempDir()
  const recipe = readRenderRecipe(renderFixture('master', dir))
  if (recipe.kind !== 'recipe') throw new Error(recipe.reason)
  return readPins(recipe.recipe, userVars, {
    ansible: { bin: '', description: 'system' },
    dir: join(dir, 'pins'),
    logDir: join(dir, 'logs'),
    exec: processExecutor,
    log: recordingLog(),
    signal: new AbortController().signal,
    timeoutMs: 120_000
  })
}

describe("the checkout's pins, as Ansible evaluates them", () => {
  it("are its own downloads' URLs, versions and checksums for this host's platform", async () => {
    const r = await pinsOf({})
    expect(r).toEqual({
      kind: 'pins',
      pins: {
        containerd: {
          name: 'containerd',
          version: '2.3.4',
          url: 'https://github.com/containerd/containerd/releases/download/v2.3.4/containerd-2.3.4-linux-amd64.tar.gz',
          sha256: FIXTURE_SHA
        },
        runc: {
          name: 'runc',
          version: '1.3.4',
          url: 'https://github.com/opencontainers/runc/releases/download/v1.3.4/runc.amd64',
          sha256: FIXTURE_SHA
        },
        nerdctl: {
          name: 'nerdctl',
          version: '2.3.0',
          url: 'https://github.com/containerd/nerdctl/releases/download/v2.3.0/nerdctl-2.3.0-linux-amd64.tar.gz',
          sha256: FIXTURE_SHA
        },
        crictl: {
          name: 'crictl',
          version: '1.35.0',
          url: 'https://github.com/kubernetes-sigs/cri-tools/releases/download/v1.35.0/crictl-v1.35.0-linux-amd64.tar.gz',
          sha256: FIXTURE_SHA
        }
      }
    })
  }, 60_000)

  it("take kubespray-vars as kubespray does: an offline mirror and the user's own checksum", async () => {
    const sha = 'a'.repeat(64)
    const r = await pinsOf({
      github_url: 'http://127.0.0.1:8080/github',
      containerd_archive_checksum: `sha256:${sha}`
    })
    expect(r.kind).toBe('pins')
    if (r.kind !== 'pins') return
    expect(r.pins.containerd.url).toBe(
      'http://127.0.0.1:8080/github/containerd/containerd/releases/download/v2.3.4/containerd-2.3.4-linux-amd64.tar.gz'
    )
    expect(r.pins.containerd.sha256).toBe(sha)
  }, 60_000)

  it('a checkout without one of the four says which', () => {
    expect(
      parsePins({
        containerd: { version: '2.3.4', url: 'u', checksum: 'sha256:' + 'b'.repeat(64) },
        runc: { version: '1.3.4', url: 'u', checksum: 'c'.repeat(64) },
        nerdctl: { version: '', url: '', checksum: '' },
        crictl: { version: '1.35.0', url: 'u', checksum: 'd'.repeat(64) }
      })
    ).toEqual({
      kind: 'unavailable',
      reason:
        'the checkout pins no usable nerdctl download (downloads.nerdctl: version "", url "", checksum "")'
    })
  })
})

describe('obtaining a pinned file', () => {
  let server: Server | undefined
  afterEach(() => {
    server?.close()
  })

  async function serve(body: string): Promise<string> {
    server = createServer((req, res) => {
      if (req.url !== '/runc.amd64') return void res.writeHead(404).end()
      res.writeHead(200).end(body)
    })
    await new Promise<void>(resolve => server!.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    return `http://127.0.0.1:${address.port}`
  }

  it("downloads once, checks the checkout's sha256, and serves the cache after", async () => {
    const base = await serve('fixture')
    const cacheDir = tempDir()
    const pin = { name: 'runc' as const, version: '1.3.4', url: `${base}/runc.amd64`, sha256: FIXTURE_SHA }
    const first = await obtainPinned(pin, { cacheDir })
    expect(first.kind).toBe('ready')
    if (first.kind !== 'ready') return
    expect(readFileSync(first.path, 'utf8')).toBe('fixture')
    server!.close()
    expect(await obtainPinned(pin, { cacheDir })).toEqual(first)
  })

  it('a file whose sha256 is not the pinned one is refused, naming both', async () => {
    const base = await serve('not the fixture')
    const pin = { name: 'runc' as const, version: '1.3.4', url: `${base}/runc.amd64`, sha256: FIXTURE_SHA }
    const r = await obtainPinned(pin, { cacheDir: tempDir() })
    expect(r).toEqual({
      kind: 'unavailable',
      reason: `runc 1.3.4 (the checkout's pin) from ${base}/runc.amd64: sha256 is ${createHash('sha256').update('not the fixture').digest('hex')}, the checkout pins ${FIXTURE_SHA}`
    })
  })

  it('offline: a clear reason, nothing cached', async () => {
    // A port nothing listens on any more.
    const base = await serve('fixture')
    await new Promise(resolve => server!.close(resolve))
    const cacheDir = tempDir()
    const pin = { name: 'runc' as const, version: '1.3.4', url: `${base}/runc.amd64`, sha256: FIXTURE_SHA }
    const r = await obtainPinned(pin, { cacheDir })
    expect(r.kind).toBe('unavailable')
    if (r.kind === 'unavailable') {
      expect(r.reason).toMatch(
        /^runc 1\.3\.4 \(the checkout's pin\) from http:\/\/127\.0\.0\.1:\d+\/runc\.amd64 could not be downloaded: fetch failed \(.*ECONNREFUSED/
      )
    }
    expect((await obtainPinned(pin, { cacheDir })).kind).toBe('unavailable')
  })
})
