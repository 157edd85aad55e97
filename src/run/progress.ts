import type { Tier } from '../plan/axes.js'
import type { Cell } from '../plan/cell.js'
import { outcomeSignature, outcomeText, type TierOutcome } from '../results/cell-result.js'

/** `[7/36] probe debian-12/zfs/nerdctl … fail 12.3s overlayfs-rename-whiteout: mv failed` */
export function formatProgress(
  done: number,
  total: number,
  tier: Tier,
  cell: Cell,
  outcome: TierOutcome
): string {
  const detail = [outcomeSignature(outcome), outcomeText(outcome)]
    .filter(s => s !== undefined && s !== '')
    .join(': ')
  const line = `[${done}/${total}] ${tier} ${cell.id} … ${outcome.status} ${outcome.durationSeconds.toFixed(1)}s`
  return detail === '' ? line : `${line} (${firstLine(detail)})`
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? ''
  return line.length > 160 ? `${line.slice(0, 157)}...` : line
}
