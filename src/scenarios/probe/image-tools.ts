import { cmd, type Command } from '../../exec/command.js'
import type { Snapshotter, Tool, Variant } from '../../plan/axes.js'
import { nerdctlSnapshotter } from './node-config.js'

/** Where downloaded tools are installed on the node (kubespray's `bin_dir`). */
export const BIN_DIR = '/usr/local/bin'

export interface PullCell {
  readonly tool: Tool
  readonly variant: Variant
  /** The cell's snapshotter: `containerd_snapshotter`, which the CRI (kubelet, crictl) follows. */
  readonly snapshotter: Snapshotter
}

/**
 * The pull as kubespray runs it (`image_pull_command`): `nerdctl_image_pull_command`,
 * `crictl_image_pull_command`, or the ctr command kubespray 2.24–2.27 used instead of nerdctl. None of
 * them passes `--snapshotter`; the fixed variant adds it to ctr, and sets nerdctl's through nerdctl.toml.
 * The one addition is ctr's `--plain-http`: ctr ignores certs.d unless told, and the test registry
 * speaks plain HTTP on the node's loopback (nerdctl and the CRI read hosts.toml, as kubespray sets them).
 */
export function pullCommand(cell: PullCell, reference: string): Command {
  switch (cell.tool) {
    case 'nerdctl':
      return cmd(`${BIN_DIR}/nerdctl`, '-n', 'k8s.io', 'pull', '--quiet', reference)
    case 'crictl':
      return cmd(`${BIN_DIR}/crictl`, 'pull', reference)
    case 'ctr':
      return cmd(
        'ctr',
        '-n',
        'k8s.io',
        'images',
        'pull',
        '--plain-http',
        ...(cell.variant === 'fixed' ? ['--snapshotter', cell.snapshotter] : []),
        reference
      )
    default: {
      const never: never = cell.tool
      throw new Error(`no pull command for ${String(never)}`)
    }
  }
}

/**
 * The snapshotter the tool unpacks into: nerdctl its nerdctl.toml's, ctr its `--snapshotter` or
 * containerd's default (overlayfs), crictl the CRI's.
 */
export function toolSnapshotter(cell: PullCell): Snapshotter {
  switch (cell.tool) {
    case 'nerdctl':
      return nerdctlSnapshotter(cell)
    case 'crictl':
      return cell.snapshotter
    case 'ctr':
      return cell.variant === 'fixed' ? cell.snapshotter : 'overlayfs'
    default: {
      const never: never = cell.tool
      throw new Error(`unknown tool ${String(never)}`)
    }
  }
}

/** How a tool reports its version on the node. */
export function versionCommand(tool: Tool): Command {
  switch (tool) {
    case 'nerdctl':
      return cmd(`${BIN_DIR}/nerdctl`, '--version')
    case 'crictl':
      return cmd(`${BIN_DIR}/crictl`, '--version')
    case 'ctr':
      return cmd('ctr', '--version')
    default: {
      const never: never = tool
      throw new Error(`unknown tool ${String(never)}`)
    }
  }
}
