import { describe, expect, it } from '@jest/globals'
import { findSignature } from '../../src/diagnose/signatures.js'
import { checkAnnotations, type LocateVariables, type SourceLocation } from '../../src/report/annotations.js'
import type { CellResult, Finding } from '../../src/results/cell-result.js'
import { cellResult } from '../builders.js'

const WORKFLOW: SourceLocation = { path: '.github/workflows/zfs.yml', line: 1 }
const NERDCTL_TEMPLATE: SourceLocation = {
  path: 'roles/container-engine/nerdctl/templates/nerdctl.toml.j2',
  line: 2
}

/** A locator that knows only the given variables, recording every list it was asked about. */
function locator(known: Record<string, SourceLocation>): LocateVariables & { calls: string[][] } {
  const calls: string[][] = []
  const locate = (variables: readonly string[]): SourceLocation | null => {
    calls.push([...variables])
    for (const v of variables) if (known[v] !== undefined) return known[v]
    return null
  }
  return Object.assign(locate, { calls })
}

const nowhere: LocateVariables = () => null

function withFindings(result: CellResult, findings: Finding[]): CellResult {
  return { ...result, findings }
}

const TEMPLATE_FINDING: Finding = {
  path: 'roles/container-engine/nerdctl/templates/nerdctl.toml.j2',
  line: 2,
  level: 'warning',
  message: 'nerdctl ignores containerd_snapshotter',
  signature: 'tool-snapshotter-mismatch'
}

const fail = (id: string, signature = 'tool-snapshotter-mismatch', message = 'pull failed'): CellResult =>
  cellResult(id, { status: 'fail', signature, message })

describe('checkAnnotations: lint findings', () => {
  it('makes one annotation per distinct finding, naming every cell it concerns', () => {
    const results = [
      withFindings(cellResult('debian-12/zfs/nerdctl', { status: 'pass' }), [TEMPLATE_FINDING]),
      withFindings(cellResult('debian-12/native/nerdctl', { status: 'pass' }), [{ ...TEMPLATE_FINDING }])
    ]
    expect(checkAnnotations(results, nowhere, null)).toEqual([
      {
        path: 'roles/container-engine/nerdctl/templates/nerdctl.toml.j2',
        start_line: 2,
        end_line: 2,
        annotation_level: 'warning',
        title: 'lint: the image tool and the CRI use different snapshotters',
        message:
          'nerdctl ignores containerd_snapshotter\n\nCells: debian-12/zfs/nerdctl/kubespray, debian-12/native/nerdctl/kubespray'
      }
    ])
  })

  it('keeps findings apart that differ in path, line, level or message', () => {
    const findings: Finding[] = [
      TEMPLATE_FINDING,
      { ...TEMPLATE_FINDING, path: 'roles/other.yml' },
      { ...TEMPLATE_FINDING, line: 3 },
      { ...TEMPLATE_FINDING, level: 'notice' },
      { ...TEMPLATE_FINDING, message: 'another message' }
    ]
    const annotations = checkAnnotations(
      [
        withFindings(cellResult('debian-12/zfs/nerdctl', { status: 'pass' }), findings),
        withFindings(cellResult('debian-11/zfs/nerdctl', { status: 'pass' }), findings)
      ],
      nowhere,
      null
    )
    expect(
      annotations.map(a => [a.path, a.start_line, a.annotation_level, a.message.split('\n')[0]])
    ).toEqual([
      [TEMPLATE_FINDING.path, 2, 'warning', 'nerdctl ignores containerd_snapshotter'],
      ['roles/other.yml', 2, 'warning', 'nerdctl ignores containerd_snapshotter'],
      [TEMPLATE_FINDING.path, 3, 'warning', 'nerdctl ignores containerd_snapshotter'],
      [TEMPLATE_FINDING.path, 2, 'notice', 'nerdctl ignores containerd_snapshotter'],
      [TEMPLATE_FINDING.path, 2, 'warning', 'another message']
    ])
    for (const a of annotations) {
      expect(
        a.message.endsWith('Cells: debian-12/zfs/nerdctl/kubespray, debian-11/zfs/nerdctl/kubespray')
      ).toBe(true)
    }
  })

  it('titles a finding without a known signature as a kubespray finding', () => {
    const { signature: _signature, ...plain } = TEMPLATE_FINDING
    const [withoutSignature] = checkAnnotations(
      [withFindings(cellResult('debian-12/zfs/ctr', { status: 'pass' }), [plain])],
      nowhere,
      null
    )
    expect(withoutSignature!.title).toBe('lint: kubespray finding')
    const [unknownSignature] = checkAnnotations(
      [
        withFindings(cellResult('debian-12/zfs/ctr', { status: 'pass' }), [
          { ...TEMPLATE_FINDING, signature: 'not-in-the-catalogue' }
        ])
      ],
      nowhere,
      null
    )
    expect(unknownSignature!.title).toBe('lint: kubespray finding')
  })

  it('names at most 10 cells, then counts the rest', () => {
    const images = Array.from({ length: 13 }, (_, i) => `img-${String(i).padStart(2, '0')}`)
    const results = images.map(image =>
      withFindings(cellResult(`${image}/zfs/nerdctl`, { status: 'pass' }), [TEMPLATE_FINDING])
    )
    const [annotation, ...rest] = checkAnnotations(results, nowhere, null)
    expect(rest).toEqual([])
    const named = images.slice(0, 10).map(i => `${i}/zfs/nerdctl/kubespray`)
    expect(annotation!.message).toBe(
      `nerdctl ignores containerd_snapshotter\n\nCells: ${named.join(', ')} and 3 more`
    )
  })

  it('names exactly 10 cells without "and … more"', () => {
    const results = Array.from({ length: 10 }, (_, i) =>
      withFindings(cellResult(`img-${i}/zfs/ctr`, { status: 'pass' }), [TEMPLATE_FINDING])
    )
    const [annotation] = checkAnnotations(results, nowhere, null)
    expect(annotation!.message).toContain('img-9/zfs/ctr/kubespray')
    expect(annotation!.message).not.toContain('more')
  })

  it('comes before the failure annotations', () => {
    const results = [
      fail('debian-12/overlayfs/nerdctl'),
      withFindings(cellResult('debian-12/zfs/nerdctl', { status: 'pass' }), [TEMPLATE_FINDING])
    ]
    expect(checkAnnotations(results, nowhere, WORKFLOW).map(a => a.annotation_level)).toEqual([
      'warning',
      'failure'
    ])
  })
})

describe('checkAnnotations: failed cells', () => {
  const signature = findSignature('tool-snapshotter-mismatch')!

  it("annotates a failed cell where its signature's kubespray variables are", () => {
    const locate = locator({ nerdctl_snapshotter: NERDCTL_TEMPLATE })
    const annotations = checkAnnotations([fail('debian-12/zfs/nerdctl')], locate, WORKFLOW)
    expect(locate.calls).toEqual([['nerdctl_snapshotter', 'nerdctl_image_pull_command']])
    expect(annotations).toEqual([
      {
        path: NERDCTL_TEMPLATE.path,
        start_line: 2,
        end_line: 2,
        annotation_level: 'failure',
        title: 'debian-12/zfs/nerdctl/kubespray: the image tool and the CRI use different snapshotters',
        message: `pull failed\n\nFix: ${signature.fix}`
      }
    ])
  })

  it('falls back to the given location when the variables cannot be found', () => {
    const annotations = checkAnnotations([fail('debian-12/zfs/nerdctl')], nowhere, WORKFLOW)
    expect(annotations).toEqual([
      {
        path: '.github/workflows/zfs.yml',
        start_line: 1,
        end_line: 1,
        annotation_level: 'failure',
        title: 'debian-12/zfs/nerdctl/kubespray: the image tool and the CRI use different snapshotters',
        message: `pull failed\n\nFix: ${signature.fix}`
      }
    ])
  })

  it('makes none when neither the variables nor a fallback are known', () => {
    expect(checkAnnotations([fail('debian-12/zfs/nerdctl')], nowhere, null)).toEqual([])
  })

  it('makes none for error, skipped, pass and flaky cells', () => {
    const locate = locator({ nerdctl_snapshotter: NERDCTL_TEMPLATE })
    const results = [
      cellResult('debian-12/zfs/nerdctl', { status: 'error', message: 'vm did not boot' }),
      cellResult('debian-12/zfs/ctr', { status: 'skipped', reason: 'no kubespray' }),
      cellResult('debian-12/zfs/crictl', { status: 'pass' }),
      cellResult('debian-11/zfs/nerdctl', {
        status: 'flaky',
        failedAttempts: 1,
        signature: 'tool-snapshotter-mismatch'
      })
    ]
    expect(checkAnnotations(results, locate, WORKFLOW)).toEqual([])
    expect(locate.calls).toEqual([])
  })

  it('one annotation per failed cell, in result order', () => {
    const results = [
      fail('debian-12/zfs/nerdctl'),
      cellResult('debian-12/zfs/ctr', { status: 'pass' }),
      fail('debian-11/overlayfs/ctr', 'overlayfs-mount-einval', 'invalid argument')
    ]
    const annotations = checkAnnotations(results, nowhere, WORKFLOW)
    expect(annotations.map(a => a.title)).toEqual([
      'debian-12/zfs/nerdctl/kubespray: the image tool and the CRI use different snapshotters',
      'debian-11/overlayfs/ctr/kubespray: overlayfs cannot mount with its upper dir on ZFS'
    ])
    expect(annotations[1]!.message).toBe(
      `invalid argument\n\nFix: ${findSignature('overlayfs-mount-einval')!.fix}`
    )
  })

  it('uses the unknown signature fix, and no fix for a signature id the catalogue lacks', () => {
    const locate = locator({})
    const [unknown, foreign] = checkAnnotations(
      [fail('debian-12/zfs/ctr', 'unknown', 'odd'), fail('debian-13/zfs/ctr', 'from-a-newer-version', 'new')],
      locate,
      WORKFLOW
    )
    expect(unknown!.title).toBe('debian-12/zfs/ctr/kubespray: unrecognised failure')
    expect(unknown!.message).toBe(`odd\n\nFix: ${findSignature('unknown')!.fix}`)
    expect(foreign!.title).toBe('debian-13/zfs/ctr/kubespray: from-a-newer-version')
    expect(foreign!.message).toBe('new')
    expect(locate.calls).toEqual([[], []])
  })

  it('cuts titles to 255 characters and removes control characters', () => {
    const image = `img-${'x'.repeat(300)}`
    const [long] = checkAnnotations([fail(`${image}/zfs/ctr`)], nowhere, WORKFLOW)
    expect(long!.title).toHaveLength(255)
    expect(long!.title).toBe(`${image}/zfs/ctr/kubespray: the image tool and the CRI`.slice(0, 254) + '…')

    const [dirty] = checkAnnotations(
      [fail('debian-12/zfs/ctr', 'odd\u0000\u0007sig\u001b[31m\u007f', 'boot\u0008 log\u001b[0m\ttab\nline')],
      nowhere,
      WORKFLOW
    )
    // An escape sequence goes whole, not only its ESC.
    expect(dirty!.title).toBe('debian-12/zfs/ctr/kubespray: oddsig')
    // Tabs and line breaks are text, not terminal noise.
    expect(dirty!.message).toBe('boot log\ttab\nline')
  })

  it('removes control characters from lint findings too', () => {
    const [annotation] = checkAnnotations(
      [
        withFindings(cellResult('debian-12/zfs/ctr', { status: 'pass' }), [
          { ...TEMPLATE_FINDING, message: 'bad\u0000 \u001btemplate' }
        ])
      ],
      nowhere,
      null
    )
    expect(annotation!.message).toBe('bad template\n\nCells: debian-12/zfs/ctr/kubespray')
  })
})

describe('checkAnnotations: edge cases', () => {
  it('names a cell once even when its findings repeat one, and keeps titles to one line', () => {
    const finding = { path: 'roles/x.yml', line: 3, level: 'warning' as const, message: 'm' }
    const repeated = cellResult('debian-12/zfs/ctr', { status: 'pass' }, { findings: [finding, finding] })
    expect(checkAnnotations([repeated], () => null, null).map(a => a.message)).toEqual([
      'm\n\nCells: debian-12/zfs/ctr/kubespray'
    ])
    const odd = cellResult('debian-12/zfs/ctr', {
      status: 'fail',
      signature: 'not-in-the\ncatalogue\u0085',
      message: 'x'
    })
    expect(checkAnnotations([odd], () => null, { path: 'w.yml', line: 1 })[0]!.title).toBe(
      'debian-12/zfs/ctr/kubespray: not-in-the catalogue'
    )
  })
})
