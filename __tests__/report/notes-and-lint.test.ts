import { describe, expect, it } from '@jest/globals'
import { makeCell } from '../../src/plan/cell.js'
import { renderFailureDetails } from '../../src/report/details.js'
import { lintAgreement } from '../../src/report/lint-agreement.js'
import { renderMatrixTable } from '../../src/report/matrix-table.js'
import { renderReport } from '../../src/report/report-markdown.js'
import { parseResultsDocument, makeResultsDocument } from '../../src/results/results-document.js'
import { cellResult } from '../builders.js'

const STANDIN = "crictl stood in for by the project's CRI client (the same PullImage call): no crictl here"
const MODEL = 'kubespray model: upstream templates as of v2.31.0; no checkout given'

const results = [
  cellResult(
    'debian-13/zfs/crictl/kubespray',
    { status: 'pass' },
    { notes: [MODEL, STANDIN], lintCheck: { agrees: true, differences: [] } }
  ),
  cellResult(
    'debian-13/zfs/ctr/kubespray',
    {
      status: 'fail',
      signature: 'tool-snapshotter-mismatch',
      message: 'ctr pulled x unpacked for snapshotter overlayfs but the CRI uses zfs'
    },
    {
      notes: [MODEL],
      cause: 'the pull (nerdctl_image_pull_command at roles/x.yml:4, runs ctr): overlayfs',
      lintCheck: {
        agrees: false,
        differences: ['where the pull unpacked (node): lint predicted zfs, the probe saw overlayfs|x']
      }
    }
  )
]
const planned = results.map(r => makeCell(r.image, r.snapshotter, r.tool, r.variant))

describe('notes in the matrix cell itself', () => {
  it('marks each cell with the numbers of its notes, numbered in the order they first appear', () => {
    const table = renderMatrixTable(results, planned)
    expect(table).toContain('| ✅<sup>1,2</sup> | ❌ S2<sup>1</sup> |')
  })

  it('lists the notes under the table with their cell counts, never trimmed with the details', () => {
    const full = renderReport({ title: 'T', results, planned, kubespray: MODEL })
    expect(full).toContain(`**Kubespray:** ${MODEL}`)
    expect(full).toContain(
      `**Notes:**\n\n<sup>1</sup> ${MODEL} (2 cells)<br>\n<sup>2</sup> crictl stood in for`
    )
    const tiny = renderReport({ title: 'T', results, planned, kubespray: MODEL }, 10)
    expect(tiny).toContain('<sup>2</sup> crictl stood in for')
  })
})

describe("lint's accuracy in the report", () => {
  it('counts the cells where both tiers ran, and lists each disagreement, escaped', () => {
    expect(lintAgreement(results)).toEqual({
      checked: 2,
      agreeing: 1,
      disagreements: [
        {
          id: 'debian-13/zfs/ctr/kubespray',
          differences: ['where the pull unpacked (node): lint predicted zfs, the probe saw overlayfs|x']
        }
      ]
    })
    const report = renderReport({ title: 'T', results, planned })
    expect(report).toContain(
      "**Lint vs probe:** lint's prediction matched what the probe saw on 1 of 2 cells.\n- `debian-13/zfs/ctr/kubespray`: where the pull unpacked"
    )
    expect(report).toContain('overlayfs&#124;x')
  })

  it("a failed cell's details name the checkout's lines, escaped like every text from a run", () => {
    expect(renderFailureDetails(results[1]!, { excerpt: false })).toContain(
      '- **In the checkout:** the pull &#40;nerdctl&#95;image&#95;pull&#95;command at roles/x.yml:4, runs ctr&#41;: overlayfs'
    )
  })
})

describe('results.json keeps them', () => {
  it('round-trips notes, cause, lintCheck and what configured the nodes', () => {
    const doc = makeResultsDocument('T', results, new Date(0), MODEL)
    expect(parseResultsDocument(JSON.parse(JSON.stringify(doc)))).toEqual(doc)
    const bad = JSON.parse(JSON.stringify(doc)) as { cells: { lintCheck: unknown }[] }
    bad.cells[0]!.lintCheck = { agrees: 'yes', differences: [] }
    expect(() => parseResultsDocument(bad)).toThrow('cells[0].lintCheck.agrees: expected true or false')
  })
})
