import { join } from 'node:path'
import { release, type Resource } from '../cleanup/ledger.js'
import { cmd } from '../exec/command.js'
import { check } from '../exec/executor.js'
import type { HostContext } from '../host/context.js'
import { asRoot } from '../exec/privilege.js'
import { errorMessage } from '../text/error-message.js'

/**
 * The kernel filesystems a chroot needs for apt, DKMS and initramfs-tools. Each mount is written to the
 * ledger before it is made, and `unmountAll` runs in a `finally`: an error, a Ctrl-C or a timeout never
 * leaves a mount behind (and a SIGKILL leaves it to the ledger sweep).
 */
export async function withChrootMounts<T>(
  root: string,
  ctx: HostContext,
  body: () => Promise<T>
): Promise<T> {
  const made: Resource[] = []
  const mounts: [string, string[]][] = [
    ['proc', ['-t', 'proc', 'proc']],
    ['sys', ['-t', 'sysfs', 'sysfs']],
    ['dev', ['--bind', '/dev']],
    ['dev/pts', ['--bind', '/dev/pts']]
  ]
  try {
    for (const [sub, how] of mounts) {
      const path = join(root, sub)
      const resource: Resource = { kind: 'mount', path }
      ctx.ledger.add(resource)
      made.push(resource)
      await check(ctx.exec, asRoot(cmd('mount', ...how, path)))
    }
    return await body()
  } finally {
    for (const resource of made.reverse()) {
      try {
        release(resource)
        ctx.ledger.remove(resource)
      } catch (e) {
        ctx.log.warning(
          `could not unmount ${resource.kind === 'mount' ? resource.path : ''}: ${errorMessage(e)}`
        )
      }
    }
  }
}
