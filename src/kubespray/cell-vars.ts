import type { Cell } from '../plan/cell.js'
import { commandTool, snapshotterFlag, type KubesprayTree } from './kubespray-tree.js'

/** The cell's own group vars (values may be Jinja). */
export type KubesprayVars = Readonly<Record<string, string>>

/** Group vars as written into the generated inventory: the user's `kubespray-vars` may hold any YAML. */
export type GroupVars = Readonly<Record<string, unknown>>

/**
 * What the matrix needs to know of the checkout to set only its axes: its own
 * `nerdctl_image_pull_command` as written in its defaults (the command `image_command_tool: nerdctl`
 * pulls with, ctr in v2.24–2.27 and their forks), or null when it has none or no checkout is given.
 */
export interface CheckoutPull {
  readonly nerdctlPull: string | null
}

export const NO_CHECKOUT_PULL: CheckoutPull = { nerdctlPull: null }

export function checkoutPull(tree: KubesprayTree): CheckoutPull {
  const own = tree.pullCommands.find(p => p.variable === 'nerdctl_image_pull_command')
  return { nerdctlPull: own?.command ?? null }
}

/**
 * The user's `kubespray-vars`, then the cell's vars over them: the matrix's axes are the action's to
 * set (input validation refuses a `kubespray-vars` that sets one of them).
 */
export function groupVars(userVars: GroupVars, vars: KubesprayVars): GroupVars {
  return { ...userVars, ...vars }
}

/**
 * The ctr pull of kubespray v2.24–2.27 (`nerdctl_image_pull_command` ran ctr then). The ctr cell
 * puts it on a checkout whose own pull does not run ctr, through that variable, which every release
 * since v2.19 pulls with.
 */
export const CTR_PULL_COMMAND = '{{ bin_dir }}/ctr -n k8s.io images pull'
/** Kubespray's own ctr pull reads certs.d (mirrors, plain-HTTP registries) only when told to. */
const CTR_HOSTS_DIR =
  '{% if containerd_registries_mirrors is defined %} --hosts-dir {{ containerd_cfg_dir }}/certs.d{%- endif -%}'

/**
 * containerd 2.1 and later pull CRI images through the transfer service, which unpacks only for the
 * snapshotters its `unpack_config` lists (overlayfs by default): the fix's part for containerd 2.x,
 * through the variable every release's config template prints as it is. containerd 1.x has no such
 * plugin and ignores the table.
 */
export function transferUnpackConfig(snapshotter: string): string {
  return [
    '[[plugins."io.containerd.transfer.v1.local".unpack_config]]',
    `  platform = "linux/{{ image_arch | default('amd64') }}"`,
    `  snapshotter = "${snapshotter}"`
  ].join('\n')
}

/**
 * The one definition of what a cell means, for every tier (lint predicts from these vars, the probe
 * renders with them, the join writes them): `containerd_snapshotter` and `image_command_tool` for every
 * cell; for the ctr cell a ctr pull only where the checkout's own does not already run ctr (a fork's
 * own ctr pull, fixed or not, is what it tests); for `fixed` the known fix on top: nerdctl and the ctr
 * pull given the cell's snapshotter explicitly, where the pull does not already pass one, and the
 * transfer service told to unpack for it (after the user's own `containerd_extra_args`, kept).
 */
export function cellVars(
  cell: Pick<Cell, 'snapshotter' | 'tool' | 'variant'>,
  checkout: CheckoutPull = NO_CHECKOUT_PULL,
  userVars: GroupVars = {}
): KubesprayVars {
  const fixed = cell.variant === 'fixed'
  const own = checkout.nerdctlPull
  const ownRunsCtr = own !== null && commandTool(own) === 'ctr'
  const pull =
    cell.tool === 'crictl'
      ? null
      : cell.tool === 'ctr' && !ownRunsCtr
        ? withSnapshotter(`${CTR_PULL_COMMAND}${CTR_HOSTS_DIR}`, fixed ? cell.snapshotter : null)
        : ownRunsCtr && fixed && snapshotterFlag(own) === null
          ? withSnapshotter(own, cell.snapshotter)
          : null
  return {
    container_manager: 'containerd',
    containerd_snapshotter: cell.snapshotter,
    image_command_tool: cell.tool === 'crictl' ? 'crictl' : 'nerdctl',
    ...(fixed
      ? {
          nerdctl_snapshotter: cell.snapshotter,
          containerd_extra_args: withExtra(
            userVars.containerd_extra_args,
            transferUnpackConfig(cell.snapshotter)
          )
        }
      : {}),
    ...(pull === null ? {} : { nerdctl_image_pull_command: pull })
  }
}

function withExtra(user: unknown, fix: string): string {
  return typeof user === 'string' && user.trim() !== '' ? `${user}\n${fix}` : fix
}

/**
 * `--snapshotter X` right after the `pull` word: before any Jinja that follows, whose `-%}` would strip
 * the space before a flag appended at the end.
 */
function withSnapshotter(command: string, snapshotter: string | null): string {
  if (snapshotter === null) return command
  return command.replace(/\bpull\b/, `pull --snapshotter ${snapshotter}`)
}
