import type { NodeFacts, Reading, SnapshotterState } from '../doctor/node-facts.js'
import type { NodeReport } from '../doctor/inspect-nodes.js'
import { snapshotterUse, type NodePrediction } from '../doctor/predict-node.js'
import { findSignature } from '../diagnose/signatures.js'
import { SNAPSHOTTERS } from '../plan/axes.js'
import { renderAs, type DocumentFormat } from './document-format.js'
import { codeBlock, escapeMarkdown, printable } from './escape.js'

/** What `doctor` prints, in the format asked for. */
export function renderDoctor(reports: readonly NodeReport[], format: DocumentFormat): string {
  return renderAs(format, {
    text: () => doctorText(reports),
    json: () => doctorJson(reports),
    markdown: () => doctorMarkdown(reports)
  })
}

function reading<T>(r: Reading<T>, show: (v: T) => string = String): string {
  return r.kind === 'read' ? show(r.value) : `unknown (${r.reason})`
}

function snapshotterLine(s: SnapshotterState): string {
  const on =
    s.filesystem === undefined ? 'filesystem unknown' : `on ${s.filesystem.fstype} (${s.filesystem.source})`
  const dataset = s.dataset === undefined ? '' : `, dataset ${s.dataset} mounted there`
  return `plugin ${s.plugin ?? 'not listed'}, ${on}${dataset}, ${reading(s.snapshots, n => `${n} k8s.io snapshot(s)`)}`
}

/** The node's facts as label/value rows: the same table in text and Markdown. */
export function factRows(f: NodeFacts): [string, string][] {
  const use = snapshotterUse(f)
  const c = f.containerdConfig
  const n = f.nerdctlConfig
  const root = f.containerdRoot
  const k = f.kubelet
  return [
    ['kernel', reading(f.kernel)],
    ['OpenZFS', `module ${reading(f.openzfs.module)}, tools ${reading(f.openzfs.userland)}`],
    [
      '/var/lib/containerd',
      root === undefined ? 'unknown' : `${root.fstype} (${root.source}), mounted at ${root.mountpoint}`
    ],
    ['containerd', reading(f.containerd)],
    [
      'CRI snapshotter',
      c.kind === 'read'
        ? `${use.cri} (config version ${c.version}, ${c.criKey})`
        : c.kind === 'absent'
          ? `${use.cri} (no /etc/containerd/config.toml: containerd's default)`
          : `unknown (config.toml is not TOML: ${c.reason})`
    ],
    [
      'nerdctl snapshotter',
      n.kind === 'read'
        ? `${n.snapshotter} (${n.snapshotterSet ? 'nerdctl.toml' : "nerdctl.toml sets none: nerdctl's default"}), namespace ${n.namespace}`
        : n.kind === 'absent'
          ? `${use.nerdctl} (no /etc/nerdctl/nerdctl.toml: nerdctl's default)`
          : `unknown (nerdctl.toml is not TOML: ${n.reason})`
    ],
    ...SNAPSHOTTERS.map((s): [string, string] => [`snapshotter ${s}`, snapshotterLine(f.snapshotters[s])]),
    ['kernel overlay lines', f.kernelLog.length === 0 ? 'none' : f.kernelLog.slice(-3).join(' | ')],
    [
      'kubelet',
      `${k.service}; ca.crt ${k.caCrt ? 'present' : 'absent'}, kubelet.conf ${k.kubeletConf ? 'present' : 'absent'}, nginx-proxy manifest ${k.nginxProxyManifest ? 'present' : 'absent'}`
    ],
    ['nginx-proxy container', reading(k.nginxProxy, s => (s.length === 0 ? 'none' : s.join(', ')))]
  ]
}

function roleText(p: NodePrediction, i: number): string {
  if (i === 0) return 'root cause'
  if (p.explainedBy === null) return 'also a cause'
  return `follows from ${findSignature(p.explainedBy)?.code ?? p.explainedBy}`
}

function heading(r: Extract<NodeReport, { kind: 'inspected' }>): string {
  const t = r.target
  const dest = `${t.user === undefined ? '' : `${t.user}@`}${t.host}${t.port === undefined ? '' : `:${t.port}`}`
  return dest === t.name ? t.name : `${t.name} (${dest})`
}

export function doctorText(reports: readonly NodeReport[]): string {
  const out: string[] = []
  for (const r of reports) {
    if (r.kind === 'unreachable') {
      out.push(`${printable(r.name)}: NOT INSPECTED: ${printable(r.problem)}`, '')
      continue
    }
    out.push(printable(heading(r)))
    const rows = factRows(r.facts)
    const width = Math.max(...rows.map(([label]) => label.length))
    for (const [label, value] of rows) out.push(`  ${label.padEnd(width)}  ${printable(value)}`)
    const { predictions, unknowns } = r.assessment
    out.push(
      predictions.length === 0
        ? '  No known signature predicted: a join should not hit the ZFS chain on this node.'
        : '  A join of this node will hit:'
    )
    predictions.forEach((p, i) => {
      const s = p.signature
      out.push(`  ${i + 1}. ${s.code} ${s.id}: ${s.title} [${roleText(p, i)}]`)
      for (const b of p.because) out.push(`     because ${printable(b)}`)
      for (const l of p.evidence)
        out.push(`     seen: ${printable(`${l.file}:${l.line}`)}: ${printable(l.text)}`)
      out.push(`     fix: ${s.fix}`)
      if (s.kubesprayVariables.length > 0)
        out.push(`     kubespray variables: ${s.kubesprayVariables.join(', ')}`)
    })
    for (const u of unknowns) out.push(`  could not tell: ${printable(u)}`)
    out.push('')
  }
  return `${out.join('\n').trimEnd()}\n`
}

export function doctorMarkdown(reports: readonly NodeReport[]): string {
  const out: string[] = ['## zfs-join-matrix doctor', '']
  for (const r of reports) {
    if (r.kind === 'unreachable') {
      out.push(`### ${escapeMarkdown(r.name)}: not inspected`, '', escapeMarkdown(r.problem), '')
      continue
    }
    out.push(`### ${escapeMarkdown(heading(r))}`, '', '| Check | Value |', '| --- | --- |')
    for (const [label, value] of factRows(r.facts))
      out.push(`| ${escapeMarkdown(label)} | ${escapeMarkdown(value)} |`)
    out.push('')
    const { predictions, unknowns } = r.assessment
    if (predictions.length === 0) out.push('No known signature predicted.', '')
    predictions.forEach((p, i) => {
      const s = p.signature
      out.push(`**${i + 1}. ${s.code} ${escapeMarkdown(s.title)}** (${escapeMarkdown(roleText(p, i))})`, '')
      for (const b of p.because) out.push(`- ${escapeMarkdown(b)}`)
      out.push('')
      if (p.evidence.length > 0)
        out.push(codeBlock(p.evidence.map(l => `${l.file}:${l.line}: ${l.text}`).join('\n')), '')
      // The catalogue's texts are the project's own Markdown; only what came from the node is escaped.
      out.push(`**Fix.** ${s.fix}`, '')
    })
    if (unknowns.length > 0) out.push(...unknowns.map(u => `- Could not tell: ${escapeMarkdown(u)}`), '')
  }
  return `${out.join('\n').trimEnd()}\n`
}

/** The JSON form: per node its facts (without the journals' text) and its predictions by signature id. */
export function doctorJson(reports: readonly NodeReport[]) {
  return {
    nodes: reports.map(r => {
      if (r.kind === 'unreachable') return { name: r.name, inspected: false, problem: r.problem }
      const { journals: _journals, ...facts } = r.facts
      return {
        name: r.target.name,
        inspected: true,
        target: r.target,
        facts,
        snapshotters: snapshotterUse(r.facts),
        predictions: r.assessment.predictions.map(p => ({
          id: p.signature.id,
          code: p.signature.code,
          title: p.signature.title,
          explainedBy: p.explainedBy,
          because: p.because,
          evidence: p.evidence,
          rootCause: p.signature.rootCause,
          fix: p.signature.fix,
          kubesprayVariables: p.signature.kubesprayVariables
        })),
        unknowns: r.assessment.unknowns
      }
    })
  }
}
