import type { CellResult, CellStatus } from '../results/cell-result.js'

/**
 * Totals over a set of cell results. Every figure is computed from the results when read, so it
 * cannot drift from them.
 */
export class MatrixCounts {
  constructor(private readonly results: readonly CellResult[]) {}

  get total(): number {
    return this.results.length
  }

  /** Cells that passed, including those that needed a retry (flaky). */
  get passed(): number {
    return this.count('pass') + this.count('flaky')
  }

  get flaky(): number {
    return this.count('flaky')
  }

  get failed(): number {
    return this.count('fail')
  }

  /** Cells where the harness, not the join, failed. */
  get errored(): number {
    return this.count('error')
  }

  get skipped(): number {
    return this.count('skipped')
  }

  /**
   * E.g. `36 cells: 20 passed (1 flaky), 8 failed, 0 errors, 8 skipped`; the flaky part only when
   * there are any.
   */
  summaryLine(): string {
    const flaky = this.flaky > 0 ? ` (${this.flaky} flaky)` : ''
    return (
      `${plural(this.total, 'cell')}: ${this.passed} passed${flaky}, ${this.failed} failed, ` +
      `${plural(this.errored, 'error')}, ${this.skipped} skipped`
    )
  }

  private count(status: CellStatus): number {
    return this.results.filter(r => r.status === status).length
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
