import { IMAGES, IMAGE_NAMES, findImage, type ImageSpec } from '../images/catalogue.js'
import { TIERS, tierIndex, type Tier } from '../plan/axes.js'
import { matchesCell, parseCellPattern, type CellPattern } from '../plan/pattern.js'
import type { expandAxes } from '../plan/plan.js'
import { MAX_SHARDS, type Shard } from '../plan/shard.js'
import { problem, shown, type InputProblem } from './errors.js'
import { bad, duplicates, ok, parseChoiceList, splitList, type Parsed } from './values.js'

export function parseImages(text: string): Parsed<ImageSpec[]> {
  const names = splitList(text)
  if (names.length === 0)
    return bad(problem('images', `is empty; list one or more of ${IMAGE_NAMES.join(', ')}`))
  const problems = names
    .filter(n => findImage(n) === undefined)
    .map(n => problem('images', `${shown(n)} is not one of ${IMAGE_NAMES.join(', ')}`))
  problems.push(...duplicates('images', names))
  if (problems.length > 0) return bad(...problems)
  // Keep the catalogue's order so rows read oldest OpenZFS first whatever order the user wrote.
  return ok(IMAGES.filter(i => names.includes(i.name)))
}

export function parseTiers(text: string): Parsed<Tier[]> {
  const parsed = parseChoiceList('tiers', text, TIERS)
  if (!parsed.ok) return parsed
  const tiers = [...parsed.value].sort((a, b) => tierIndex(a) - tierIndex(b))
  if (tiers.includes('rejoin') && !tiers.includes('join')) {
    return bad(problem('tiers', '"rejoin" needs "join": it reruns a join that failed'))
  }
  return ok(tiers)
}

export function parsePatterns(input: 'include' | 'exclude', text: string): Parsed<CellPattern[]> {
  const items = splitList(text)
  const problems: InputProblem[] = []
  const patterns: CellPattern[] = []
  for (const item of items) {
    const p = parseCellPattern(item)
    if (typeof p === 'string') problems.push(problem(input, `${shown(item)} ${p}`))
    else patterns.push(p)
  }
  problems.push(...duplicates(input, items))
  return problems.length > 0 ? bad(...problems) : ok(patterns)
}

export function patternsMatchingNothing(
  input: string,
  patterns: readonly CellPattern[],
  cells: ReturnType<typeof expandAxes>
) {
  return patterns
    .filter(p => !cells.some(c => matchesCell(p, c)))
    .map(p =>
      problem(
        input,
        `${shown(p.text)} matches no cell of the planned axes (cells look like ${cells[0]?.id ?? 'image/snapshotter/tool/variant'})`
      )
    )
}

export function parseShard(text: string): Parsed<Shard> {
  const m = /^(\d+)\/(\d+)$/.exec(text)
  const form = `${shown(text)} is not of the form i/n (1 <= i <= n <= ${MAX_SHARDS}), e.g. 2/4`
  if (m === null) return bad(problem('shard', form))
  const index = Number(m[1])
  const count = Number(m[2])
  if (index < 1 || count < 1 || index > count || count > MAX_SHARDS) return bad(problem('shard', form))
  return ok({ index, count })
}
