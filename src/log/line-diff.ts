/**
 * A unified diff of two texts (`--- a`, `+++ b`, `@@` hunks with `context` lines around each change),
 * empty when they are equal. Longest-common-subsequence over lines: the files it compares are a few
 * hundred lines at most (a rendered config and the same file with the harness's changes).
 */
export function lineDiff(a: string, b: string, names: { a: string; b: string }, context = 2): string {
  if (a === b) return ''
  const x = a.split('\n')
  const y = b.split('\n')
  const ops = editScript(x, y)
  const hunks: string[] = []
  let i = 0
  while (i < ops.length) {
    if (ops[i]!.kind === ' ') {
      i++
      continue
    }
    const start = Math.max(0, i - context)
    let end = i
    // Extend over changes separated by at most 2×context unchanged lines.
    for (;;) {
      while (end < ops.length && ops[end]!.kind !== ' ') end++
      let next = end
      while (next < ops.length && ops[next]!.kind === ' ') next++
      if (next < ops.length && next - end <= 2 * context) end = next
      else break
    }
    const stop = Math.min(ops.length, end + context)
    const slice = ops.slice(start, stop)
    const aStart = slice[0]!.a + 1
    const bStart = slice[0]!.b + 1
    const aCount = slice.filter(o => o.kind !== '+').length
    const bCount = slice.filter(o => o.kind !== '-').length
    hunks.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`, ...slice.map(o => `${o.kind}${o.text}`))
    i = stop
  }
  return [`--- ${names.a}`, `+++ ${names.b}`, ...hunks].join('\n') + '\n'
}

interface Op {
  readonly kind: ' ' | '-' | '+'
  readonly text: string
  /** Index in a (for ' ' and '-') or of the next line of a (for '+'). */
  readonly a: number
  readonly b: number
}

function editScript(x: readonly string[], y: readonly string[]): Op[] {
  const n = x.length
  const m = y.length
  // lcs[i][j]: length of the LCS of x[i..] and y[j..].
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1))
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
    }
  }
  const ops: Op[] = []
  let i = 0
  let j = 0
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) ops.push({ kind: ' ', text: x[i]!, a: i++, b: j++ })
    // Deletions before insertions: a changed line reads as its old text, then its new one.
    else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!))
      ops.push({ kind: '-', text: x[i]!, a: i++, b: j })
    else ops.push({ kind: '+', text: y[j]!, a: i, b: j++ })
  }
  return ops
}
