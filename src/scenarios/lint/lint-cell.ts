import type { ImageSpec } from '../../images/catalogue.js'
import type { GroupVars } from '../../kubespray/cell-vars.js'
import type { KubesprayTree } from '../../kubespray/kubespray-tree.js'
import type { Cell } from '../../plan/cell.js'
import type { Finding } from '../../results/cell-result.js'
import type { Verdict } from '../scenario.js'
import { predict, type Prediction, type SnapshotterUse } from './predict.js'
import type { SignatureId } from '../../diagnose/signatures.js'

export interface LintedCell {
  readonly verdict: Verdict
  /** The tree's findings plus this cell's own (a pull predicted to unpack for the wrong snapshotter). */
  readonly findings: readonly Finding[]
  /** The cell's lint log: which snapshotter each tool will use, and why, line by line. */
  readonly report: string
}

/**
 * Predicts a cell from the checkout: the snapshotter each tool will use given the cell's vars, a
 * failure when the pull unpacks for another snapshotter than kubelet's (tool-snapshotter-mismatch),
 * or when kubelet runs overlayfs on an image whose OpenZFS cannot back it (overlayfs-mount-einval or
 * overlayfs-rename-whiteout, from the image catalogue). A prediction that needs a value only Ansible
 * can compute is skipped, never passed.
 */
export function lintCell(
  tree: KubesprayTree,
  findings: readonly Finding[],
  cell: Cell,
  image: ImageSpec,
  vars: GroupVars
): LintedCell {
  const p = predict(tree, vars)
  const cri = p.cri.snapshotter
  const report = (verdict: Verdict, own: readonly Finding[] = []): LintedCell => ({
    verdict,
    findings: [...findings, ...own],
    report: reportText(tree, cell, image, vars, p, verdict)
  })
  if (cri === undefined) {
    return report({
      kind: 'skipped',
      reason: `cannot tell statically which snapshotter the CRI uses: ${p.cri.because}`
    })
  }
  if (p.pull === null) {
    return report({
      kind: 'skipped',
      reason: 'found no image pull command for containerd nodes in this kubespray'
    })
  }
  const pulled = p.pull.use.snapshotter
  if (pulled === undefined) {
    return report({
      kind: 'skipped',
      reason: `cannot tell statically which snapshotter the pull uses: ${p.pull.use.because}`
    })
  }
  const zfs = overlayOnOldZfs(cri, image)
  const mismatch =
    pulled === cri
      ? null
      : `the ${p.pull.tool} pull (${p.pull.variable}) unpacks for snapshotter ${pulled} but the CRI uses ${cri}`
  const own: Finding[] =
    mismatch === null || p.pull.at === null
      ? []
      : [
          {
            path: p.pull.at.path,
            line: p.pull.at.line,
            level: 'failure',
            message: `Predicted for containerd_snapshotter ${cri}: ${mismatch}; kubelet must unpack every image again, or cannot find it (nginx-proxy, then kubeadm join).`,
            signature: MISMATCH
          }
        ]
  if (zfs !== null) {
    const also = mismatch === null ? '' : `; also ${mismatch}`
    return report(
      { kind: 'fail', signature: zfs.signature, message: `predicted: ${zfs.message}${also}`, evidence: [] },
      own
    )
  }
  if (mismatch !== null) {
    return report(
      {
        kind: 'fail',
        signature: MISMATCH,
        message: `predicted: ${mismatch}`,
        evidence: []
      },
      own
    )
  }
  return report({ kind: 'pass' }, own)
}

const MISMATCH: SignatureId = 'tool-snapshotter-mismatch'

/**
 * OpenZFS < 2.2 cannot be overlayfs's upper filesystem (measured on the project's images): 2.0 fails
 * every mount, 2.1 renames of lower-layer files.
 */
function overlayOnOldZfs(cri: string, image: ImageSpec): { signature: SignatureId; message: string } | null {
  if (cri !== 'overlayfs') return null
  const [major = 0, minor = 0] = image.expected.openzfsSeries.split('.').map(Number)
  if (major > 2 || (major === 2 && minor >= 2)) return null
  const zfs = `OpenZFS ${image.expected.openzfsSeries} (${image.name})`
  return minor === 0 && major === 2
    ? {
        signature: 'overlayfs-mount-einval',
        message: `kubelet runs containers on overlayfs over ${zfs}, which cannot be overlayfs's upper filesystem: every container fails to mount`
      }
    : {
        signature: 'overlayfs-rename-whiteout',
        message: `kubelet runs containers on overlayfs over ${zfs}, which cannot rename lower-layer files`
      }
}

function reportText(
  tree: KubesprayTree,
  cell: Cell,
  image: ImageSpec,
  vars: GroupVars,
  p: Prediction,
  verdict: Verdict
): string {
  const cri = p.cri.snapshotter
  const differs = (use: SnapshotterUse): boolean =>
    cri !== undefined && use.snapshotter !== undefined && use.snapshotter !== cri
  const line = (who: string, use: SnapshotterUse, mark = '   <- disagrees with the CRI'): string =>
    `${who}: ${use.snapshotter ?? '?'}${differs(use) ? mark : ''}\n    ${use.because}`
  // ctr reads no config: what it uses is its command line's. When the pull runs ctr, that is the
  // pull's; otherwise only a ctr run by hand uses containerd's default, which the pull line does not.
  const ctr =
    p.pull?.tool === 'ctr'
      ? line('ctr (as the pull runs it)', p.pull.use)
      : line(
          'ctr (run by hand, no --snapshotter)',
          p.ctr,
          "   <- differs from the CRI (kubespray's pull does not run ctr)"
        )
  const pull =
    p.pull === null
      ? 'pull: none found'
      : [
          line(`pull (${p.pull.variable}, ${p.pull.tool})`, p.pull.use),
          `    command: ${p.pull.command}`,
          `    from: ${p.pull.at === null ? "the cell's group vars" : `${p.pull.at.path}:${p.pull.at.line}`}`,
          ...(p.pull.note === undefined ? [] : [`    note: ${p.pull.note}`])
        ].join('\n')
  return [
    `cell ${cell.id}`,
    `kubespray ${tree.release ?? '(no galaxy.yml version)'} at ${tree.root}`,
    `image ${image.name}: OpenZFS ${image.expected.openzfsSeries} (catalogue)`,
    `vars: ${Object.entries(vars)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ')}`,
    '',
    line('kubelet, crictl (CRI)', p.cri),
    line('nerdctl', p.nerdctl),
    ctr,
    pull,
    '',
    `verdict: ${verdictText(verdict)}`,
    ''
  ].join('\n')
}

function verdictText(verdict: Verdict): string {
  switch (verdict.kind) {
    case 'pass':
      return 'pass'
    case 'skipped':
      return `skipped: ${verdict.reason}`
    case 'fail':
    case 'error':
      return `${verdict.kind}: ${verdict.message}`
    default: {
      const never: never = verdict
      throw new Error(`unknown verdict ${JSON.stringify(never)}`)
    }
  }
}
