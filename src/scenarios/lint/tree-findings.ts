import type { KubesprayTree, PullCommand } from '../../kubespray/kubespray-tree.js'
import { describeValue } from '../../kubespray/template-value.js'
import type { TreeLine } from '../../kubespray/tree-lines.js'
import type { Finding } from '../../results/cell-result.js'
import type { SignatureId } from '../../diagnose/signatures.js'

const MISMATCH: SignatureId = 'tool-snapshotter-mismatch'

/** nerdctl.toml's snapshotter is `{{ containerd_snapshotter }}` (the fork fix): nerdctl follows the CRI. */
function nerdctlFollowsCri(tree: KubesprayTree): boolean {
  const n = tree.nerdctl
  return n.kind === 'template' && n.value.kind === 'variable' && n.value.name === 'containerd_snapshotter'
}

/**
 * What the checkout itself gets wrong, whatever the cell: the same on every cell, so the check run
 * shows each once. Cell-specific predictions are made by lintCell.
 */
export function treeFindings(tree: KubesprayTree): Finding[] {
  return [
    ...criFindings(tree),
    ...nerdctlFindings(tree),
    ...tree.pullCommands.flatMap(p => pullFinding(tree, p))
  ]
}

function finding(at: TreeLine, level: Finding['level'], message: string, signature?: string): Finding {
  return { path: at.path, line: at.line, level, message, ...(signature === undefined ? {} : { signature }) }
}

function criFindings(tree: KubesprayTree): Finding[] {
  return tree.criSnapshotter.map(s =>
    finding(
      s.at,
      'notice',
      `containerd's snapshotter is set here${s.section === '' ? '' : ` in [${s.section}]`} from ${describeValue(s.value)}: only the CRI (kubelet, crictl) reads this section; nerdctl and ctr do not.`
    )
  )
}

function nerdctlFindings(tree: KubesprayTree): Finding[] {
  const setting = tree.nerdctl
  switch (setting.kind) {
    case 'template': {
      if (nerdctlFollowsCri(tree)) return []
      const value = setting.value
      const what =
        value.kind === 'literal' ? `is hard-coded to ${describeValue(value)}` : `is ${describeValue(value)}`
      return [
        finding(
          setting.at,
          'warning',
          `nerdctl's snapshotter ${what}, not tied to containerd_snapshotter: nerdctl pulls and loads images into another snapshotter than kubelet's unless the two are set alike.`,
          MISMATCH
        )
      ]
    }
    case 'unset':
      return [
        finding(
          setting.template,
          'warning',
          'nerdctl.toml sets no snapshotter: nerdctl uses its default (overlayfs), whatever containerd_snapshotter says.',
          MISMATCH
        )
      ]
    case 'no-template':
      return setting.role === null
        ? []
        : [
            finding(
              setting.role,
              'warning',
              'kubespray installs nerdctl without a nerdctl.toml: nerdctl uses its default snapshotter (overlayfs), whatever containerd_snapshotter says.',
              MISMATCH
            )
          ]
    default: {
      const never: never = setting
      throw new Error(`unknown nerdctl setting ${JSON.stringify(never)}`)
    }
  }
}

/**
 * A nerdctl or ctr pull without `--snapshotter`. nerdctl's is harmless once nerdctl.toml follows
 * containerd_snapshotter; ctr's never is (ctr reads no config).
 */
function pullFinding(tree: KubesprayTree, pull: PullCommand): Finding[] {
  if (pull.tool === 'crictl' || pull.snapshotterFlag !== null) return []
  if (pull.tool === 'nerdctl') {
    if (nerdctlFollowsCri(tree)) return []
    // v2.18 writes no nerdctl.toml: nerdctl's own default decides, not a file the user could change.
    const into =
      tree.nerdctl.kind === 'no-template'
        ? "nerdctl's default snapshotter (overlayfs; this kubespray writes no nerdctl.toml)"
        : "nerdctl.toml's snapshotter"
    return [
      finding(
        pull.at,
        'warning',
        `${pull.variable} pulls with nerdctl without --snapshotter: images are unpacked into ${into}, not containerd_snapshotter.`,
        MISMATCH
      )
    ]
  }
  return [
    finding(
      pull.at,
      'warning',
      `${pull.variable} pulls with ctr without --snapshotter: images are unpacked into containerd's default (overlayfs), not containerd_snapshotter.`,
      MISMATCH
    )
  ]
}
