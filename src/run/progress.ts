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

/**
 * The run's progress lines, one per cell and tier, except that a skip whose reason was already printed
 * is left out: a run without qemu would otherwise print the same sentence for every cell. The run
 * closes with one line per repeated reason instead (`untestedGroups`).
 */
export class ProgressLog {
  private readonly skipsShown = new Set<string>()

  constructor(
    private readonly print: (line: string) => void,
    private readonly total: number
  ) {}

  report(done: number, tier: Tier, cell: Cell, outcome: TierOutcome): void {
    if (outcome.status === 'skipped') {
      const key = `${tier}\u0000${outcome.reason}`
      if (this.skipsShown.has(key)) return
      this.skipsShown.add(key)
    }
    this.print(formatProgress(done, this.total, tier, cell, outcome))
  }
}
