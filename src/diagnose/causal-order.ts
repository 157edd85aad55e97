import { EXPLAINS, type Signature } from './signatures.js'

export interface CausalPlace {
  readonly signature: Signature
  /** The root cause this signature is a symptom of; null for a root cause. */
  readonly explainedBy: string | null
}

/** Everything `id` leads to, directly or through other signatures (EXPLAINS is acyclic). */
function consequences(id: string): ReadonlySet<string> {
  const seen = new Set<string>()
  const visit = (from: string): void => {
    for (const next of (EXPLAINS as Readonly<Record<string, readonly string[]>>)[from] ?? []) {
      if (seen.has(next)) continue
      seen.add(next)
      visit(next)
    }
  }
  visit(id)
  return seen
}

/**
 * Signatures found together, in causal order: each root cause (one nothing else found explains), in
 * catalogue order, followed by the symptoms it explains. A symptom two root causes explain is listed
 * under the first. A signature outside the catalogue (a test's own) explains nothing.
 */
export function causalOrder(found: readonly Signature[]): CausalPlace[] {
  const leadsTo = new Map(found.map(s => [s, consequences(s.id)]))
  const explained = (s: Signature): boolean => found.some(o => o !== s && leadsTo.get(o)!.has(s.id))
  const placed = new Set<Signature>()
  const order: CausalPlace[] = []
  for (const root of found.filter(s => !explained(s))) {
    order.push({ signature: root, explainedBy: null })
    placed.add(root)
    for (const s of found) {
      if (placed.has(s) || !leadsTo.get(root)!.has(s.id)) continue
      order.push({ signature: s, explainedBy: root.id })
      placed.add(s)
    }
  }
  return order
}
