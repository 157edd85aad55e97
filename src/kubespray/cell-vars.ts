import type { Cell } from '../plan/cell.js'

/** The variables every cell sets itself: `kubespray-vars` may not set them. */
export const CELL_VARIABLES = [
  'container_manager',
  'containerd_snapshotter',
  'image_command_tool',
  'nerdctl_snapshotter',
  'nerdctl_image_pull_command'
] as const

/** The cell's own group vars (values may be Jinja). */
export type KubesprayVars = Readonly<Record<string, string>>

/** Group vars as written into the generated inventory: the user's `kubespray-vars` may hold any YAML. */
export type GroupVars = Readonly<Record<string, unknown>>

/**
 * The user's `kubespray-vars`, then the cell's vars over them: the matrix's axes are the action's to
 * set (input validation refuses a `kubespray-vars` that sets one of them).
 */
export function groupVars(
  userVars: GroupVars,
  cell: Pick<Cell, 'snapshotter' | 'tool' | 'variant'>
): GroupVars {
  return { ...userVars, ...cellVars(cell) }
}

/**
 * The ctr pull of kubespray v2.24–2.27 (`nerdctl_image_pull_command` ran ctr then). The ctr cell
 * puts it back on any kubespray through that variable, which every release since v2.19 pulls with.
 */
export const CTR_PULL_COMMAND = '{{ bin_dir }}/ctr -n k8s.io images pull'
/** Kubespray's own ctr pull reads certs.d (mirrors, plain-HTTP registries) only when told to. */
const CTR_HOSTS_DIR =
  '{% if containerd_registries_mirrors is defined %} --hosts-dir {{ containerd_cfg_dir }}/certs.d{%- endif -%}'

/**
 * The group vars that make a node the cell: `containerd_snapshotter` for every cell,
 * `image_command_tool` for the tool, and for the `fixed` variant the known fix (nerdctl and ctr given
 * the cell's snapshotter explicitly). The lint tier predicts from exactly these; the join tier writes
 * exactly these, so the two cannot drift apart.
 */
export function cellVars(cell: Pick<Cell, 'snapshotter' | 'tool' | 'variant'>): KubesprayVars {
  const fixed = cell.variant === 'fixed'
  return {
    container_manager: 'containerd',
    containerd_snapshotter: cell.snapshotter,
    image_command_tool: cell.tool === 'crictl' ? 'crictl' : 'nerdctl',
    ...(fixed ? { nerdctl_snapshotter: cell.snapshotter } : {}),
    ...(cell.tool === 'ctr'
      ? {
          // `--snapshotter` before the hosts-dir condition, whose `-%}` strips the whitespace after it.
          nerdctl_image_pull_command: `${CTR_PULL_COMMAND}${fixed ? ` --snapshotter ${cell.snapshotter}` : ''}${CTR_HOSTS_DIR}`
        }
      : {})
  }
}
