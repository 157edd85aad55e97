import { statSync } from 'node:fs'
import { join } from 'node:path'
import { cmd, type Command } from '../exec/command.js'
import { check } from '../exec/executor.js'
import type { HostContext } from '../host/context.js'
import { asRoot } from '../exec/privilege.js'
import { zpoolCommands } from '../exec/zpool.js'
import type { ImageArtifacts } from '../images/manifest.js'
import type { DiskStore, RootDisk } from './disk-store.js'

/** The host-side commands, as values: unit-tested as argv, run on runners (this development host has no ZFS). */
export const zfsStoreCommands = {
  poolFile: (file: string, sizeGb: number): Command => cmd('truncate', '-s', `${sizeGb}G`, file),
  createPool: zpoolCommands.create,
  createGolden: (dataset: string, bytes: number): Command =>
    cmd('zfs', 'create', '-s', '-V', String(bytes), dataset),
  fillGolden: (image: string, dataset: string): Command =>
    cmd('dd', `if=${image}`, `of=/dev/zvol/${dataset}`, 'bs=4M', 'conv=sparse', 'status=none'),
  snapshot: (snapshot: string): Command => cmd('zfs', 'snapshot', snapshot),
  clone: (snapshot: string, dataset: string): Command => cmd('zfs', 'clone', snapshot, dataset),
  destroy: (dataset: string): Command => cmd('zfs', 'destroy', '-r', dataset),
  destroyPool: zpoolCommands.destroy,
  settle: (): Command => cmd('udevadm', 'settle', '--timeout=30')
}

/**
 * A file-backed host pool, a golden zvol per image (filled once), then `zfs clone` per VM: a root disk in
 * well under a second whatever the image size, and all of it gone with one `zpool destroy`.
 */
export class ZfsStore implements DiskStore {
  readonly kind = 'zfs-clone'
  private readonly pool: string
  private readonly goldens = new Map<string, Promise<string>>()
  private created = false

  constructor(
    private readonly ctx: HostContext,
    readonly reason: string,
    runId: string
  ) {
    this.pool = `zjm-${runId}`
  }

  private async ensurePool(): Promise<void> {
    if (this.created) return
    const file = join(this.ctx.workDir, 'host-pool.img')
    this.ctx.ledger.add({ kind: 'zpool', name: this.pool })
    await check(this.ctx.exec, asRoot(zfsStoreCommands.poolFile(file, 40)))
    await check(this.ctx.exec, asRoot(zfsStoreCommands.createPool(this.pool, file)))
    this.created = true
  }

  private golden(image: ImageArtifacts): Promise<string> {
    const existing = this.goldens.get(image.dir)
    if (existing !== undefined) return existing
    const made = (async () => {
      await this.ensurePool()
      const dataset = `${this.pool}/golden-${image.manifest.image}`
      await check(
        this.ctx.exec,
        asRoot(zfsStoreCommands.createGolden(dataset, roundUp(statSync(image.root).size)))
      )
      await check(this.ctx.exec, asRoot(zfsStoreCommands.settle()))
      await check(this.ctx.exec, asRoot(zfsStoreCommands.fillGolden(image.root, dataset)), {
        timeoutMs: 10 * 60_000
      })
      await check(this.ctx.exec, asRoot(zfsStoreCommands.snapshot(`${dataset}@base`)))
      return `${dataset}@base`
    })()
    this.goldens.set(image.dir, made)
    return made
  }

  async rootDisk(image: ImageArtifacts, vmName: string): Promise<RootDisk> {
    const snapshot = await this.golden(image)
    const dataset = `${this.pool}/${vmName}`
    await check(this.ctx.exec, asRoot(zfsStoreCommands.clone(snapshot, dataset)))
    await check(this.ctx.exec, asRoot(zfsStoreCommands.settle()))
    return {
      path: `/dev/zvol/${dataset}`,
      format: 'raw',
      release: async () => void (await check(this.ctx.exec, asRoot(zfsStoreCommands.destroy(dataset))))
    }
  }

  async close(): Promise<void> {
    if (!this.created) return
    await check(this.ctx.exec, asRoot(zfsStoreCommands.destroyPool(this.pool)))
    this.ctx.ledger.remove({ kind: 'zpool', name: this.pool })
  }
}

/** zvol sizes must be a multiple of the volume block size. */
function roundUp(bytes: number): number {
  const mb = 1024 * 1024
  return Math.ceil(bytes / mb) * mb
}
