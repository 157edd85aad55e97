import type { Snapshotter } from '../../plan/axes.js'
import type { LintCheck } from '../../results/cell-result.js'
import type { Prediction, SnapshotterUse } from '../lint/predict.js'
import type { CellConfig } from './cell-config.js'

/**
 * Lint's prediction for a cell next to what the probe saw: the snapshotter the rendered containerd
 * config and nerdctl.toml name, the tool the evaluated pull runs, and where the pull really unpacked
 * (null when the pull failed). Every difference is a place where reading the checkout statically
 * gets it wrong (or the render does), kept so lint's accuracy is measured on every run.
 */
export function checkAgainstLint(
  prediction: Prediction,
  config: CellConfig,
  unpacked: readonly Snapshotter[] | null
): LintCheck {
  const differences: string[] = []
  const compare = (what: string, predicted: string | undefined, seen: string | null): void => {
    if (seen === null || predicted === seen) return
    differences.push(`${what}: lint predicted ${predicted ?? '(cannot tell)'}, the probe saw ${seen}`)
  }
  compare('CRI snapshotter (rendered config.toml)', prediction.cri.snapshotter, config.criSnapshotter)
  if (config.record.rendered.some(f => f.path === '/etc/nerdctl/nerdctl.toml')) {
    compare(
      'nerdctl snapshotter (rendered nerdctl.toml)',
      prediction.nerdctl.snapshotter,
      config.nerdctlSnapshotter
    )
  }
  compare('pull tool (evaluated pull command)', prediction.pull?.tool, config.pullTool)
  if (unpacked !== null && unpacked.length > 0) {
    compare('where the pull unpacked (node)', prediction.pull?.use.snapshotter, unpacked.join('+'))
  }
  return { agrees: differences.length === 0, differences }
}

/**
 * For a failed cell: the checkout's lines that gave each tool its snapshotter, as lint reads them, so
 * the fork's maintainer knows which file to change.
 */
export function checkoutCause(prediction: Prediction): string {
  const line = (who: string, use: SnapshotterUse): string =>
    `${who}: ${use.snapshotter ?? '?'} (${use.because})`
  const parts = [line('the CRI (kubelet, crictl)', prediction.cri), line('nerdctl', prediction.nerdctl)]
  if (prediction.pull !== null) {
    const at =
      prediction.pull.at === null
        ? "the cell's vars"
        : `${prediction.pull.at.path}:${prediction.pull.at.line}`
    parts.push(
      line(
        `the pull (${prediction.pull.variable} at ${at}, runs ${prediction.pull.tool})`,
        prediction.pull.use
      )
    )
  }
  return parts.join('; ')
}
