import type { Tier } from '../plan/axes.js'
import type { Cell } from '../plan/cell.js'
import { describeCells } from '../plan/cell-set.js'
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
 * is only counted: a run without qemu would otherwise print the same sentence for every cell.
 * `skipSummary` then gives one line per repeated reason, with the count and the cells' pattern.
 */
export class ProgressLog {
  private readonly skips = new Map<string, { tier: Tier; reason: string; cells: Cell[] }>()

  constructor(
    private readonly print: (line: string) => void,
    private readonly total: number
  ) {}

  report(done: number, tier: Tier, cell: Cell, outcome: TierOutcome): void {
    if (outcome.status === 'skipped') {
      const key = skipKey(tier, outcome.reason)
      const seen = this.skips.get(key)
      this.skips.set(key, { tier, reason: outcome.reason, cells: [...(seen?.cells ?? []), cell] })
      if (seen !== undefined) return
    }
    this.print(formatProgress(done, this.total, tier, cell, outcome))
  }

  /** `lint skipped 36 cells (*): no kubespray checkout …`, for each reason given to more than one cell. */
  skipSummary(all: readonly Cell[]): string[] {
    return [...this.skips.values()]
      .filter(s => s.cells.length > 1)
      .map(
        s =>
          `${s.tier} skipped ${s.cells.length} cells (${describeCells(s.cells, all)}): ${firstLine(s.reason)}`
      )
  }
}

function skipKey(tier: Tier, reason: string): string {
  return `${tier}\u0000${reason}`
}
