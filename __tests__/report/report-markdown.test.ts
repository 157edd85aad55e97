import { describe, it, expect } from '@jest/globals'
import type { CellResult, Outcome } from '../../src/results/cell-result.js'
import { SNAPSHOTTERS, TOOLS, VARIANTS, type Snapshotter, type Tool } from '../../src/plan/axes.js'
import { makeCell, type Cell } from '../../src/plan/cell.js'
import { compareWithBaseline } from '../../src/report/baseline.js'
import { renderMatrixTable } from '../../src/report/matrix-table.js'
import { GITHUB_MARKDOWN_LIMIT, renderReport, type ReportInput } from '../../src/report/report-markdown.js'
import { cellResult } from '../builders.js'

const result = (cell: Cell, outcome: Outcome, logs: readonly string[] = []): CellResult =>
  cellResult(cell.id, outcome, {
    durationSeconds: 60,
    versions: { kernel: '6.1.0-50', openzfs: '2.1.11' },
    logs
  })

const MORE = /… and (\d+) more failing cells: see results\.json/
const countOf = (text: string, part: string): number => text.split(part).length - 1

/** 15 images × 2 variants × 3 snapshotters × 3 tools = 270 cells, trimmed to the 256 the brief asks for. */
function bigMatrix(): { planned: Cell[]; results: CellResult[] } {
  const images = Array.from({ length: 15 }, (_, i) => `synthetic-image-${String(i).padStart(2, '0')}`)
  const planned = images
    .flatMap(image =>
      VARIANTS.flatMap(v => SNAPSHOTTERS.flatMap(s => TOOLS.map(t => makeCell(image, s, t, v))))
    )
    .slice(0, 256)
  const results = planned.map((cell, i): CellResult => {
    const refused = 'kubeadm join: dial tcp 127.0.0.1:6443: connect: connection refused '
    const message = `join failed | step ${i} | ${refused.repeat(8)}`
    const excerpt = Array.from(
      { length: 40 },
      (_, line) =>
        `[${line}] containerd: failed to mount /tmp/containerd-mount${i}: invalid argument | \`x\` <y>`
    ).join('\n')
    const logs = [`cells/${cell.id}/serial.log`, `cells/${cell.id}/ansible.log`]
    if (i % 10 === 0) return result(cell, { status: 'pass' }, logs)
    if (i % 10 === 1) return result(cell, { status: 'skipped', reason: 'host has no /dev/kvm' })
    if (i % 10 === 2) return result(cell, { status: 'error', message, excerpt }, logs)
    return result(cell, { status: 'fail', signature: 'overlayfs-mount-einval', message, excerpt }, logs)
  })
  return { planned, results }
}

describe('renderReport', () => {
  const d12 = (s: Snapshotter, t: Tool): Cell => makeCell('debian-12', s, t)
  const planned = [
    d12('overlayfs', 'nerdctl'),
    d12('zfs', 'nerdctl'),
    d12('native', 'ctr'),
    d12('zfs', 'ctr')
  ]
  const baseline = [
    result(d12('overlayfs', 'nerdctl'), { status: 'pass' }),
    result(d12('zfs', 'nerdctl'), {
      status: 'fail',
      signature: 'zfs-snapshotter-not-a-dataset',
      message: 'm'
    }),
    result(d12('native', 'ctr'), { status: 'pass' }),
    result(makeCell('debian-11', 'zfs', 'ctr'), { status: 'pass' })
  ]
  const results = [
    result(d12('overlayfs', 'nerdctl'), {
      status: 'fail',
      signature: 'overlayfs-rename-whiteout',
      message: "mv: can't rename 'a': Invalid argument | <b>",
      excerpt: 'mv a b\n```\n</details>\n<script>alert(1)</script>'
    }),
    result(d12('zfs', 'nerdctl'), { status: 'pass' }),
    result(d12('native', 'ctr'), { status: 'skipped', reason: 'image build failed' })
  ]
  const input: ReportInput = {
    title: 'ZFS join matrix | main <b>',
    results,
    planned,
    gate: compareWithBaseline(results, baseline),
    footer: '[Run 42](https://example.invalid/run/42)'
  }

  it('lays out heading, summary, baseline, table, legend, skips, failures, footer in that order', () => {
    const md = renderReport(input)
    const at = [
      '## ZFS join matrix &#124; main &#60;b&#62;',
      '3 cells: 1 passed, 1 failed, 0 errors, 1 skipped',
      '### Compared with the baseline',
      renderMatrixTable(results, planned),
      '**Legend:**',
      '### Skipped cells',
      '### Failures',
      '[Run 42](https://example.invalid/run/42)'
    ].map(part => md.indexOf(part))
    expect(at).not.toContain(-1)
    expect([...at].sort((a, b) => a - b)).toEqual(at)
    expect(md.startsWith('## ')).toBe(true)
  })

  it('puts regressions first in the baseline section, then fixed, missing and not-run cells', () => {
    const md = renderReport(input)
    const gate = md.slice(md.indexOf('### Compared'), md.indexOf('| image |'))
    const at = ['1 regression', 'debian-12/overlayfs/nerdctl', 'Fixed', 'Missing cells', 'Not run'].map(p =>
      gate.indexOf(p)
    )
    expect(at).not.toContain(-1)
    expect([...at].sort((a, b) => a - b)).toEqual(at)
    expect(gate).toContain('`debian-11/zfs/ctr/kubespray`')
    expect(gate).toContain('image build failed')
    expect(gate).not.toContain('<b>')
  })

  it('says there are no regressions when the baseline shows none', () => {
    const md = renderReport({ ...input, gate: compareWithBaseline(results, results) })
    expect(md).toContain('No regressions against the baseline.')
  })

  it('leaves out the baseline section without a baseline', () => {
    expect(renderReport({ ...input, gate: undefined })).not.toContain('baseline')
  })

  it('keeps a hostile excerpt inside its fence', () => {
    const md = renderReport(input)
    expect(md).toContain('````\nmv a b\n```\n</details>\n<script>alert(1)</script>\n````')
    const message = md.split('\n').find(l => l.startsWith('- **Message:**')) ?? ''
    expect(message).toContain('&#124; &#60;b&#62;')
  })

  it('returns the full report when it fits exactly, and degrades at one character less', () => {
    const full = renderReport(input)
    expect(renderReport(input, full.length)).toBe(full)
    const shorter = renderReport(input, full.length - 1)
    expect(shorter.length).toBeLessThan(full.length)
    expect(shorter).not.toContain('<script>')
    expect(shorter).toContain('<details>')
  })

  it('stays within every limit between the bare table and the full report', () => {
    const full = renderReport(input)
    const bare = renderReport(input, 0)
    for (let max = bare.length; max <= full.length + 1; max++) {
      const md = renderReport(input, max)
      expect(md.length).toBeLessThanOrEqual(max)
      expect(md).toContain(renderMatrixTable(results, planned))
    }
  })

  it('returns heading, summary and table whole when even they do not fit', () => {
    const md = renderReport(input, 10)
    expect(md).toBe(
      [
        '## ZFS join matrix &#124; main &#60;b&#62;',
        '3 cells: 1 passed, 1 failed, 0 errors, 1 skipped',
        `${renderMatrixTable(results, planned)}\n`
      ].join('\n\n')
    )
  })

  it('fits 256 mostly failing cells into 65,536 characters, keeping the whole table', () => {
    const big = bigMatrix()
    const failing = big.results.filter(r => r.status === 'fail' || r.status === 'error').length
    const md = renderReport({ title: 'big', results: big.results, planned: big.planned })

    expect(big.results).toHaveLength(256)
    expect(md.length).toBeLessThanOrEqual(GITHUB_MARKDOWN_LIMIT)
    const table = renderMatrixTable(big.results, big.planned)
    expect(md).toContain(table)
    const rows = table.split('\n').slice(2)
    // Two rows (kubespray, then fixed) for each of the first 14 images, one for the last.
    expect(rows).toHaveLength(29)
    for (let i = 0; i < 29; i++) {
      const image = `synthetic-image-${String(Math.floor(i / 2)).padStart(2, '0')}`
      const label = i % 2 === 0 ? image : `${image} · fixed`
      expect(rows[i]?.startsWith(`| ${label}<br>kernel 6.1.0-50`)).toBe(true)
    }
    // The last image has only 4 of its 18 cells planned after trimming to 256, all kubespray:
    // cells 252–255 are its first four, an error, then three failures.
    expect(
      rows[28]
        ?.split('|')
        .slice(2, -1)
        .map(c => c.trim())
    ).toEqual(['⚠️', '❌ Z1', '❌ Z1', '❌ Z1', '·', '·', '·', '·', '·'])
    expect(countOf(table, '❌ Z1') + countOf(table, '⚠️') + countOf(table, '✅') + countOf(table, '⏭️')).toBe(
      256
    )

    // Degraded: no excerpts, details for only some cells, and a count of the rest.
    expect(md).not.toContain('containerd-mount')
    const shown = countOf(md, '<details>')
    const more = Number(MORE.exec(md)?.[1])
    expect(shown).toBeGreaterThan(0)
    expect(shown + more).toBe(failing)
    expect(countOf(md, '</details>')).toBe(shown)
    expect(md).toMatch(/### Skipped cells\n\n- \*\*26 cells:\*\* host has no \/dev\/kvm \(/)
  })

  it('gives details to as many cells as fit, not one too many or too few', () => {
    const big = bigMatrix()
    const bigInput = { title: 'big', results: big.results, planned: big.planned }
    const md = renderReport(bigInput)
    const shown = countOf(md, '<details>')
    expect(shown).toBeGreaterThan(1)
    expect(renderReport(bigInput, md.length)).toBe(md)
    const tighter = renderReport(bigInput, md.length - 1)
    expect(countOf(tighter, '<details>')).toBe(shown - 1)
    expect(MORE.exec(tighter)?.[1]).toBe(String(Number(MORE.exec(md)?.[1]) + 1))
  })

  it('drops all details, keeping the count line, before dropping anything else', () => {
    const big = bigMatrix()
    const failing = big.results.filter(r => r.status !== 'pass' && r.status !== 'skipped').length
    const bigInput = { title: 'big', results: big.results, planned: big.planned }
    const bare = renderReport(bigInput, 0).length
    const shapes = new Set<number>()
    let sawNoDetails = false
    for (let max = bare; max <= GITHUB_MARKDOWN_LIMIT; max += 997) {
      const md = renderReport(bigInput, max)
      expect(md.length).toBeLessThanOrEqual(max)
      const shown = countOf(md, '<details>')
      shapes.add(shown)
      const more = MORE.exec(md)
      if (more !== null) expect(shown + Number(more[1])).toBe(failing)
      if (shown === 0 && more !== null && md.includes('### Skipped cells') && md.includes('**Legend:**')) {
        sawNoDetails = true
      }
    }
    expect(sawNoDetails).toBe(true)
    expect(shapes.size).toBeGreaterThan(10)
  })

  it('keeps the details of regressions when details must be cut', () => {
    const big = bigMatrix()
    const last = big.results[big.results.length - 1] as CellResult
    const baseline = big.results.map(r => (r.id === last.id ? result(r, { status: 'pass' }) : r))
    const md = renderReport({
      title: 'big',
      results: big.results,
      planned: big.planned,
      gate: compareWithBaseline(big.results, baseline)
    })
    expect(md).toMatch(MORE)
    const firstDetails = md.slice(md.indexOf('<details>'))
    expect(firstDetails.startsWith(`<details><summary>❌ <b>${last.id}</b>`)).toBe(true)
  })
})
