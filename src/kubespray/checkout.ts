import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { cmd } from '../exec/command.js'
import { describeFailure } from '../exec/executor.js'
import type { HostContext } from '../host/context.js'
import type { Config } from '../inputs/config.js'
import { notKubespray, readKubesprayTree, type TreeReading } from './kubespray-tree.js'

/** The kubespray tree every tier reads and runs: the checkout, or a ref of it. */
export type Checkout =
  | {
      readonly kind: 'ready'
      readonly path: string
      readonly description: string
      /** The tree as lint reads it, read once on first use and shared by every tier. */
      readonly reading: () => TreeReading
    }
  /**
   * No checkout was given, or `kubespray-path` is no kubespray tree at all (the action's default, the
   * workspace, in a repository that is not kubespray): the probe then uses its model of upstream
   * kubespray and says so; lint and join are skipped with the reason.
   */
  | { readonly kind: 'none'; readonly reason: string }
  | { readonly kind: 'unavailable'; readonly reason: string }

/** A ready checkout of `path`, whose tree is read at most once. */
export function checkoutAt(path: string, description: string = path): Extract<Checkout, { kind: 'ready' }> {
  let reading: TreeReading | undefined
  return { kind: 'ready', path, description, reading: () => (reading ??= readKubesprayTree(path)) }
}

export const NO_CHECKOUT = 'no kubespray checkout (set kubespray-path)'

/**
 * `kubespray-path` as it is, or with `kubespray-ref` the tree of that ref exported from its git history
 * into the run's work dir (removed with it): the user's working tree, index and branches are never
 * touched, and a ref that does not exist makes every tier's cells skipped with git's words (a ref was
 * asked for: the model never stands in for it).
 */
export async function resolveCheckout(
  config: Pick<Config, 'kubesprayPath' | 'kubesprayRef'>,
  host: Pick<HostContext, 'exec' | 'workDir' | 'signal'>
): Promise<Checkout> {
  const path = config.kubesprayPath
  if (path === null) return { kind: 'none', reason: NO_CHECKOUT }
  const ref = config.kubesprayRef
  if (ref === null) {
    const notTree = notKubespray(path)
    return notTree === null ? checkoutAt(path) : { kind: 'none', reason: notTree }
  }
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
  return checkoutAt(dir, `${path} at ${ref}`)
}
