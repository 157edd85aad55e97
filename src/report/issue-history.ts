import {
  CELL_STATUSES,
  isFailing,
  isPassing,
  type CellResult,
  type CellStatus
} from '../results/cell-result.js'
import { escapeMarkdown } from './escape.js'
import { dataMarker, readDataMarker } from './markers.js'
import { STATUS_SYMBOLS } from './symbols.js'

/**
 * The tracking issue's memory: the statuses of every cell in the last runs. It lives in the issue
 * body itself (a hidden data block), so the issue is the only state and a hand-edited body at worst
 * starts the history afresh.
 */
export interface History {
  /** Every cell id that any kept run has a result for; `states` index into it. */
  readonly ids: readonly string[]
  /** Newest first. */
  readonly runs: readonly HistoryRun[]
}

export interface HistoryRun {
  readonly runId: number | null
  readonly url: string | null
  readonly finishedAt: string
  /** One code per id of the history (see STATE_CODES); `-` when the run has no result for it. */
  readonly states: string
}

export interface Flip {
  readonly id: string
  readonly was: CellStatus | null
  readonly now: CellStatus | null
}

const STATE_CODES: Readonly<Record<CellStatus, string>> = {
  pass: 'p',
  flaky: 'k',
  fail: 'f',
  error: 'e',
  skipped: 's'
}
const ABSENT = '-'
const HISTORY_BLOCK = 'history'
/** Flips listed in one history row before the rest are counted. */
const FLIPS_SHOWN = 8

export const EMPTY_HISTORY: History = { ids: [], runs: [] }

/** The history stored in an issue body; empty when there is none or it does not parse. */
export function readHistory(body: string | undefined): History {
  const value = body === undefined ? undefined : readDataMarker(body, HISTORY_BLOCK)
  return isHistory(value) ? value : EMPTY_HISTORY
}

export function historyBlock(history: History): string {
  return dataMarker(HISTORY_BLOCK, history)
}

/** `history` with this run's results in front, keeping the newest `keep` runs. */
export function addRun(
  history: History,
  results: readonly CellResult[],
  run: Omit<HistoryRun, 'states'>,
  keep: number
): History {
  const byId = new Map<string, CellStatus>(results.map(r => [r.id, r.status]))
  const ids = [...new Set([...history.ids, ...byId.keys()])]
  const index = new Map(history.ids.map((id, i) => [id, i]))
  const widen = (old: HistoryRun): HistoryRun => ({
    ...old,
    states: ids.map(id => old.states[index.get(id) ?? -1] ?? ABSENT).join('')
  })
  const current: HistoryRun = {
    ...run,
    states: ids
      .map(id => {
        const status = byId.get(id)
        return status === undefined ? ABSENT : STATE_CODES[status]
      })
      .join('')
  }
  const runs = [current, ...history.runs.map(widen)].slice(0, keep)
  // Cells no kept run has a result for are dropped, so the block does not grow for ever.
  const kept = ids.map((_, i) => runs.some(r => r.states[i] !== ABSENT))
  return {
    ids: ids.filter((_, i) => kept[i]),
    runs: runs.map(r => ({ ...r, states: [...r.states].filter((_, i) => kept[i]).join('') }))
  }
}

/** How run `index` differs from the run before it (index + 1); none for the oldest run. */
export function flipsAt(history: History, index: number): Flip[] {
  const now = history.runs[index]
  const before = history.runs[index + 1]
  if (now === undefined || before === undefined) return []
  return history.ids.flatMap((id, i) => {
    const was = decode(before.states[i])
    const is = decode(now.states[i])
    return was === is ? [] : [{ id, was, now: is }]
  })
}

/** A cell that passed in the run before and fails or errors now. */
export function isRegressionFlip(flip: Flip): boolean {
  return flip.was !== null && isPassing(flip.was) && flip.now !== null && isFailing(flip.now)
}

/** The history as a Markdown section: a row per run, its counts, and the cells that flipped, regressions in bold. */
export function renderHistory(history: History): string {
  const header = [
    `### History (last ${history.runs.length} ${history.runs.length === 1 ? 'run' : 'runs'})`,
    '',
    `| Run | Finished (UTC) | ${STATUS_SYMBOLS.pass} | ${STATUS_SYMBOLS.fail} | ${STATUS_SYMBOLS.error} | ${STATUS_SYMBOLS.skipped} | Cells that flipped since the run before |`,
    '| --- | --- | --: | --: | --: | --: | --- |'
  ]
  const rows = history.runs.map((run, i) => {
    const count = (codes: string): number => [...run.states].filter(c => codes.includes(c)).length
    const label = run.runId === null ? 'run' : `#${run.runId}`
    const link = run.url === null ? label : `[${label}](${run.url})`
    const when = escapeMarkdown(run.finishedAt.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ''))
    return `| ${link} | ${when} | ${count('pk')} | ${count('f')} | ${count('e')} | ${count('s')} | ${renderFlips(flipsAt(history, i))} |`
  })
  return [...header, ...rows].join('\n')
}

function renderFlips(flips: readonly Flip[]): string {
  const ordered = [...flips.filter(isRegressionFlip), ...flips.filter(f => !isRegressionFlip(f))]
  const shown = ordered.slice(0, FLIPS_SHOWN).map(f => {
    const text = `${escapeMarkdown(f.id)} ${symbol(f.was)}→${symbol(f.now)}`
    return isRegressionFlip(f) ? `**${text}**` : text
  })
  const more = ordered.length - shown.length
  return [...shown, ...(more > 0 ? [`… and ${more} more`] : [])].join(', ')
}

function symbol(status: CellStatus | null): string {
  return status === null ? '∅' : STATUS_SYMBOLS[status]
}

function decode(code: string | undefined): CellStatus | null {
  return CELL_STATUSES.find(s => STATE_CODES[s] === code) ?? null
}

function isHistory(v: unknown): v is History {
  if (typeof v !== 'object' || v === null) return false
  const h = v as Record<string, unknown>
  if (!Array.isArray(h.ids) || !h.ids.every(id => typeof id === 'string')) return false
  if (!Array.isArray(h.runs)) return false
  return h.runs.every((r: unknown) => {
    if (typeof r !== 'object' || r === null) return false
    const run = r as Record<string, unknown>
    return (
      (run.runId === null || Number.isSafeInteger(run.runId)) &&
      // A link is written into a Markdown table: only plain http(s) URLs, which cannot leave `(…)` or the cell.
      (run.url === null || (typeof run.url === 'string' && /^https?:\/\/[^\s()<>|\\]+$/.test(run.url))) &&
      typeof run.finishedAt === 'string' &&
      typeof run.states === 'string' &&
      run.states.length === (h.ids as unknown[]).length &&
      /^[pkfes-]*$/.test(run.states)
    )
  })
}
