import { spawnSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { CleanupLedger } from '../../src/cleanup/ledger.js'
import { processExecutor } from '../../src/exec/executor.js'
import type { HostContext } from '../../src/host/context.js'
import type { ImageArtifacts } from '../../src/images/manifest.js'
import { consoleLog } from '../../src/log/log.js'
import { Qcow2Store, overlayCommand } from '../../src/storage/qcow2-store.js'
import { tempDir } from '../helpers.js'

const quiet = consoleLog({ write: () => true } as unknown as NodeJS.WritableStream)

function artifacts(dir: string): ImageArtifacts {
  return {
    dir,
    kernel: join(dir, 'vmlinuz'),
    initrd: join(dir, 'initrd.img'),
    root: join(dir, 'root.img'),
    manifest: {
      image: 'debian-12',
      key: 'k',
      builderVersion: 1,
      builtAt: '2026-01-01T00:00:00Z',
      buildSeconds: 1,
      suite: 'bookworm',
      mirror: 'http://deb.debian.org/debian',
      kernel: '6.1.0-41-cloud-amd64',
      openzfs: '2.1.11-1',
      packages: {}
    }
  }
}

describe('overlayCommand', () => {
  it('creates a qcow2 over a raw backing file', () => {
    expect(overlayCommand('/cache/img/root.img', '/work/disks/cp-root.qcow2')).toEqual({
      program: 'qemu-img',
      args: [
        'create',
        '-q',
        '-f',
        'qcow2',
        '-F',
        'raw',
        '-b',
        '/cache/img/root.img',
        '/work/disks/cp-root.qcow2'
      ]
    })
  })
})

describe('Qcow2Store (real qemu-img)', () => {
  it('gives a qcow2 overlay on the raw image, listed in the ledger until released', async () => {
    const imageDir = tempDir()
    const image = artifacts(imageDir)
    writeFileSync(image.root, Buffer.alloc(4 * 1024 * 1024, 0x5a))
    const ledger = new CleanupLedger(join(tempDir(), 'l.json'))
    const ctx: HostContext = {
      exec: processExecutor,
      ledger,
      log: quiet,
      signal: new AbortController().signal,
      workDir: tempDir()
    }
    const store = new Qcow2Store(ctx, 'no zfs here')
    expect([store.kind, store.reason]).toEqual(['qcow2-overlay', 'no zfs here'])

    const disk = await store.rootDisk(image, 'zjm-cp')
    expect(disk.path).toBe(join(ctx.workDir, 'disks', 'zjm-cp-root.qcow2'))
    expect(disk.format).toBe('qcow2')
    expect(ledger.read()).toEqual([{ kind: 'file', path: disk.path }])

    const info = spawnSync('qemu-img', ['info', '--output=json', disk.path], { encoding: 'utf8' })
    expect(info.status).toBe(0)
    const parsed = JSON.parse(info.stdout) as Record<string, unknown>
    expect(parsed).toMatchObject({
      format: 'qcow2',
      'virtual-size': 4 * 1024 * 1024,
      'backing-filename': image.root,
      'backing-filename-format': 'raw'
    })

    await disk.release()
    expect(existsSync(disk.path)).toBe(false)
    expect(ledger.read()).toEqual([])
    expect(existsSync(ledger.path)).toBe(false)
    expect(existsSync(image.root)).toBe(true)

    await store.close()
    expect(existsSync(join(ctx.workDir, 'disks'))).toBe(false)
  })

  it('fails, naming qemu-img, when the backing image is missing', async () => {
    const image = artifacts(join(tempDir(), 'gone'))
    const ctx: HostContext = {
      exec: processExecutor,
      ledger: new CleanupLedger(join(tempDir(), 'l.json')),
      log: quiet,
      signal: new AbortController().signal,
      workDir: tempDir()
    }
    await expect(new Qcow2Store(ctx, 'r').rootDisk(image, 'zjm-w1')).rejects.toThrow(
      /^qemu-img create .* failed with exit code 1:\n.*gone\/root\.img/
    )
  })
})
