import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { cmd } from '../exec/command.js'
import { describeFailure } from '../exec/executor.js'
import type { HostContext } from '../host/context.js'
import type { Config } from '../inputs/config.js'

/** The kubespray tree the lint and join tiers read and run: the checkout, or a ref of it. */
export type Checkout =
  | { readonly kind: 'ready'; readonly path: string; readonly description: string }
  | { readonly kind: 'unavailable'; readonly reason: string }

export const NO_CHECKOUT = 'no kubespray checkout (set kubespray-path)'

/**
 * `kubespray-path` as it is, or with `kubespray-ref` the tree of that ref exported from its git history
 * into the run's work dir (removed with it): the user's working tree, index and branches are never
 * touched, and a ref that does not exist makes the lint and join cells skipped with git's words.
 */
export async function resolveCheckout(
  config: Pick<Config, 'kubesprayPath' | 'kubesprayRef'>,
  host: Pick<HostContext, 'exec' | 'workDir' | 'signal'>
): Promise<Checkout> {
  const path = config.kubesprayPath
  if (path === null) return { kind: 'unavailable', reason: NO_CHECKOUT }
  const ref = config.kubesprayRef
  if (ref === null) return { kind: 'ready', path, description: path }
  const dir = join(host.workDir, 'kubespray-ref')
  mkdirSync(dir, { recursive: true })
  const archive = join(host.workDir, 'kubespray-ref.tar')
  for (const command of [
    cmd('git', '-C', path, 'archive', '--format=tar', '-o', archive, `${ref}^{tree}`),
    cmd('tar', '-xf', archive, '-C', dir)
  ]) {
    const r = await host.exec.run(command, { signal: host.signal, timeoutMs: 5 * 60_000 })
    if (r.exitCode !== 0) {
      return { kind: 'unavailable', reason: `kubespray-ref ${ref} of ${path}: ${describeFailure(r)}` }
    }
  }
  return { kind: 'ready', path: dir, description: `${path} at ${ref}` }
}
