/**
 * The ZFS host store for real. This development host has no ZFS module, but our guests do: the store's
 * commands go through an Executor, and a node's `exec` is one, so the store runs unchanged against real
 * OpenZFS inside a debian-13 VM (paths are mirrored so the same absolute paths exist on both sides).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { CleanupLedger } from '../../src/cleanup/ledger.js'
import { cmd } from '../../src/exec/command.js'
import { processExecutor } from '../../src/exec/executor.js'
import { nodeExecutor } from '../../src/providers/provider.js'
import { findImage } from '../../src/images/catalogue.js'
import type { ImageArtifacts } from '../../src/images/manifest.js'
import { DEFAULT_QEMU_OPTIONS, QemuProvider } from '../../src/providers/qemu/qemu-provider.js'
import { ZfsStore } from '../../src/storage/zfs-store.js'
import { recordingLog } from '../fakes.js'
import { IMAGE_CACHE, MIRROR, vmTestsEnabled } from './vm-env.js'

const describeVm = vmTestsEnabled() ? describe : describe.skip

describeVm('ZfsStore against real OpenZFS', () => {
  it(
    'makes a file-backed pool, a golden zvol holding the image, a clone per VM, and destroys it all',
    async () => {
      const hostDir = mkdtempSync(join(tmpdir(), 'zjm-zfsstore-'))
      const log = recordingLog()
      const ledger = new CleanupLedger(join(hostDir, 'ledger.json'))
      const provider = new QemuProvider(
        { ...DEFAULT_QEMU_OPTIONS, images: { dir: IMAGE_CACHE, mirror: MIRROR } },
        { exec: processExecutor, ledger, log, signal: new AbortController().signal, workDir: hostDir }
      )
      try {
        const node = await provider.boot(findImage('debian-13')!, {
          name: 'zfs-host',
          logDir: join(hostDir, 'logs')
        })
        const guest = nodeExecutor(node)
        const sh = async (script: string) => {
          const r = await guest.run({ ...cmd('sh', '-s'), input: script })
          if (r.exitCode !== 0) throw new Error(r.stderr)
          return r.stdout
        }
        // A 48 MiB "root image" with a recognisable pattern, at the same absolute path on both sides
        // (the store reads its size on the host and the guest's zfs/dd read the file).
        const imageDir = join(hostDir, 'image')
        const workDir = join(hostDir, 'work')
        mkdirSync(imageDir)
        await sh(`mkdir -p ${imageDir} ${workDir}`)
        const root = join(imageDir, 'root.img')
        writeFileSync(root, Buffer.alloc(48 * 2 ** 20, 'zfs-join-matrix '))
        await node.copyIn(root, root)
        const image = {
          dir: imageDir,
          root,
          kernel: '',
          initrd: '',
          manifest: { image: 'fake' }
        } as unknown as ImageArtifacts

        const storeLedger = new CleanupLedger(join(hostDir, 'store-ledger.json'))
        const signal = new AbortController().signal
        const store = new ZfsStore({ exec: guest, ledger: storeLedger, log, signal, workDir }, 'test', 'r1')
        const first = await store.rootDisk(image, 'vm1')
        const second = await store.rootDisk(image, 'vm2')
        expect([first.path, second.path]).toEqual(['/dev/zvol/zjm-r1/vm1', '/dev/zvol/zjm-r1/vm2'])
        expect(first.format).toBe('raw')
        expect(await sh(`cmp -n ${48 * 2 ** 20} ${first.path} ${image.root} && echo same`)).toBe('same\n')
        expect(await sh('zfs list -H -o name,origin -r zjm-r1')).toMatch(
          /zjm-r1\/vm1\tzjm-r1\/golden-fake@base/
        )
        expect(storeLedger.read()).toEqual([{ kind: 'zpool', name: 'zjm-r1' }])

        await first.release()
        expect(await sh('zfs list -H -o name -r zjm-r1')).not.toContain('vm1')
        await store.close()
        expect(await sh('zpool list -H -o name')).toBe('zjm\n')
        expect(storeLedger.read()).toEqual([])
      } finally {
        await provider.close()
        rmSync(hostDir, { recursive: true, force: true })
      }
    },
    15 * 60_000
  )
})
