import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { cmd, type Command } from '../exec/command.js'
import { check } from '../exec/executor.js'
import type { HostContext } from '../host/context.js'
import type { ImageArtifacts } from '../images/manifest.js'
import type { DiskStore, RootDisk } from './disk-store.js'

export function overlayCommand(backing: string, overlay: string): Command {
  return cmd('qemu-img', 'create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', backing, overlay)
}

/** Copy-on-write qcow2 files over the cached raw image: instant to create, one file to delete. */
export class Qcow2Store implements DiskStore {
  readonly kind = 'qcow2-overlay'
  private readonly dir: string

  constructor(
    private readonly ctx: HostContext,
    readonly reason: string
  ) {
    this.dir = join(ctx.workDir, 'disks')
  }

  async rootDisk(image: ImageArtifacts, vmName: string): Promise<RootDisk> {
    mkdirSync(this.dir, { recursive: true })
    const path = join(this.dir, `${vmName}-root.qcow2`)
    this.ctx.ledger.add({ kind: 'file', path })
    await check(this.ctx.exec, overlayCommand(image.root, path))
    return {
      path,
      format: 'qcow2',
      release: () => {
        rmSync(path, { force: true })
        this.ctx.ledger.remove({ kind: 'file', path })
        return Promise.resolve()
      }
    }
  }

  close(): Promise<void> {
    rmSync(this.dir, { recursive: true, force: true })
    return Promise.resolve()
  }
}
