import { describe, expect, it } from '@jest/globals'
import {
  SNAPSHOTTERS,
  TOOLS,
  VARIANTS,
  type Snapshotter,
  type Tool,
  type Variant
} from '../../src/plan/axes.js'
import {
  BIN_DIR,
  pullCommand,
  toolSnapshotter,
  versionCommand,
  type PullCell
} from '../../src/scenarios/probe/image-tools.js'

const REF = '127.0.0.1:5000/zjm/probe:1'

const argv = (cell: PullCell): string[] => {
  const c = pullCommand(cell, REF)
  return [c.program, ...c.args]
}

const every: PullCell[] = TOOLS.flatMap(tool =>
  VARIANTS.flatMap(variant => SNAPSHOTTERS.map(snapshotter => ({ tool, variant, snapshotter })))
)

describe('pullCommand', () => {
  it.each(SNAPSHOTTERS)('nerdctl pulls the same way in both variants (%s)', snapshotter => {
    for (const variant of VARIANTS) {
      expect(argv({ tool: 'nerdctl', variant, snapshotter })).toEqual([
        '/usr/local/bin/nerdctl',
        '-n',
        'k8s.io',
        'pull',
        '--quiet',
        REF
      ])
    }
  })

  it.each(SNAPSHOTTERS)('crictl pulls the same way in both variants (%s)', snapshotter => {
    for (const variant of VARIANTS) {
      expect(argv({ tool: 'crictl', variant, snapshotter })).toEqual(['/usr/local/bin/crictl', 'pull', REF])
    }
  })

  it.each(SNAPSHOTTERS)('ctr, kubespray variant: no --snapshotter (%s)', snapshotter => {
    expect(argv({ tool: 'ctr', variant: 'kubespray', snapshotter })).toEqual([
      'ctr',
      '-n',
      'k8s.io',
      'images',
      'pull',
      '--plain-http',
      REF
    ])
  })

  it.each(SNAPSHOTTERS)('ctr, fixed variant: --snapshotter %s before the reference', snapshotter => {
    expect(argv({ tool: 'ctr', variant: 'fixed', snapshotter })).toEqual([
      'ctr',
      '-n',
      'k8s.io',
      'images',
      'pull',
      '--plain-http',
      '--snapshotter',
      snapshotter,
      REF
    ])
  })

  it('no kubespray-variant pull passes --snapshotter, and every pull ends with the reference', () => {
    for (const cell of every) {
      const args = argv(cell)
      expect(args.at(-1)).toBe(REF)
      if (cell.variant === 'kubespray') expect(args).not.toContain('--snapshotter')
    }
  })

  it('the tools kubespray downloads run from its bin_dir; ctr comes with the containerd package', () => {
    expect(BIN_DIR).toBe('/usr/local/bin')
    for (const cell of every) {
      const { program } = pullCommand(cell, REF)
      expect(program).toBe(cell.tool === 'ctr' ? 'ctr' : `${BIN_DIR}/${cell.tool}`)
    }
  })
})

describe('toolSnapshotter', () => {
  const expected: Record<Tool, Record<Variant, (s: Snapshotter) => Snapshotter>> = {
    nerdctl: { kubespray: () => 'overlayfs', fixed: s => s },
    ctr: { kubespray: () => 'overlayfs', fixed: s => s },
    crictl: { kubespray: s => s, fixed: s => s }
  }

  const table = every.map(
    c => [c.tool, c.variant, c.snapshotter, expected[c.tool][c.variant](c.snapshotter)] as const
  )

  it.each(table)('%s, %s variant, cell %s → %s', (tool, variant, snapshotter, want) => {
    expect(toolSnapshotter({ tool, variant, snapshotter })).toBe(want)
  })

  it('the fixed variant never mismatches the CRI; the kubespray variant does for nerdctl and ctr off overlayfs', () => {
    for (const cell of every) {
      const mismatched = toolSnapshotter(cell) !== cell.snapshotter
      expect(mismatched).toBe(
        cell.variant === 'kubespray' && cell.tool !== 'crictl' && cell.snapshotter !== 'overlayfs'
      )
    }
  })

  it('ctr gets --snapshotter exactly when it is to use another than containerd’s default', () => {
    for (const cell of every.filter(c => c.tool === 'ctr')) {
      const args = pullCommand(cell, REF).args
      const flag = args.indexOf('--snapshotter')
      expect(flag === -1 ? 'overlayfs' : args[flag + 1]).toBe(toolSnapshotter(cell))
    }
  })
})

describe('versionCommand', () => {
  it.each([
    ['nerdctl', ['/usr/local/bin/nerdctl', '--version']],
    ['crictl', ['/usr/local/bin/crictl', '--version']],
    ['ctr', ['ctr', '--version']]
  ] as const)('%s → %j', (tool, want) => {
    const c = versionCommand(tool)
    expect([c.program, ...c.args]).toEqual(want)
  })
})
