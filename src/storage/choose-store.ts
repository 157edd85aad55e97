import { existsSync } from 'node:fs'
import { cmd } from '../exec/command.js'
import type { HostContext } from '../host/context.js'
import type { DiskStore } from './disk-store.js'
import { Qcow2Store } from './qcow2-store.js'
import { ZfsStore } from './zfs-store.js'

/** ZFS clones when the host has a working ZFS (module loaded, zpool usable), else qcow2 overlays. */
export async function chooseDiskStore(ctx: HostContext, runId: string): Promise<DiskStore> {
  if (!existsSync('/sys/module/zfs')) return new Qcow2Store(ctx, 'the host has no zfs kernel module loaded')
  const probe = await ctx.exec.run(cmd('zpool', 'list', '-H'))
  if (probe.exitCode !== 0) {
    return new Qcow2Store(ctx, `zpool does not work on the host: ${probe.stderr.trim().split('\n')[0] ?? ''}`)
  }
  return new ZfsStore(ctx, 'the host has ZFS: a golden zvol per image, a clone per VM', runId)
}
