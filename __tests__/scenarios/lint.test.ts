import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { findImage } from '../../src/images/catalogue.js'
import { cellVars, checkoutPull } from '../../src/kubespray/cell-vars.js'
import { readKubesprayTree, type KubesprayTree } from '../../src/kubespray/kubespray-tree.js'
import { parseTemplateValue } from '../../src/kubespray/template-value.js'
import type { Snapshotter, Tool, Variant } from '../../src/plan/axes.js'
import { makeCell } from '../../src/plan/cell.js'
import { lintCell } from '../../src/scenarios/lint/lint-cell.js'
import { lintScenario } from '../../src/scenarios/lint/lint-scenario.js'
import { NO_CHECKOUT, resolveCheckout } from '../../src/kubespray/checkout.js'
import { processExecutor } from '../../src/exec/executor.js'
import { treeFindings } from '../../src/scenarios/lint/tree-findings.js'
import type { Config } from '../../src/inputs/config.js'
import { tempDir } from '../helpers.js'

const FIXTURES = resolve('__tests__/fixtures/kubespray')

function tree(layout: string): KubesprayTree {
  const reading = readKubesprayTree(join(FIXTURES, layout))
  if (reading.kind !== 'tree') throw new Error(reading.reason)
  return reading.tree
}

/** path:line level signature, one string per finding: the exact set a layout must produce. */
function findingsOf(layout: string): string[] {
  return treeFindings(tree(layout)).map(f => `${f.path}:${f.line} ${f.level} ${f.signature ?? '-'}`)
}

const CONTAINERD = 'roles/container-engine/containerd/templates/config.toml.j2'
const NERDCTL = 'roles/container-engine/nerdctl/templates/nerdctl.toml.j2'
const MISMATCH = 'tool-snapshotter-mismatch'

describe('lint findings on three kubespray layouts', () => {
  it('v2.18: no nerdctl.toml, the pull command comes from a set_fact', () => {
    expect(findingsOf('v2.18')).toEqual([
      `${CONTAINERD}:9 notice -`,
      `roles/container-engine/nerdctl/tasks/main.yml:1 warning ${MISMATCH}`,
      // The docker, crio and on-localhost set_facts are not nerdctl/ctr pulls on the node.
      `roles/download/tasks/prep_download.yml:9 warning ${MISMATCH}`
    ])
  })

  it('v2.19–2.21: nerdctl hard-coded to native, nerdctl pull without --snapshotter', () => {
    expect(findingsOf('v2.21')).toEqual([
      `${CONTAINERD}:9 notice -`,
      `${NERDCTL}:5 warning ${MISMATCH}`,
      `roles/download/defaults/main.yml:4 warning ${MISMATCH}`
    ])
    const nerdctl = treeFindings(tree('v2.21')).find(f => f.path === NERDCTL)!
    expect(nerdctl.message).toContain('hard-coded to "native", not tied to containerd_snapshotter')
  })

  it('v2.24–2.27: nerdctl_snapshotter, and nerdctl_image_pull_command running ctr', () => {
    expect(findingsOf('v2.25')).toEqual([
      `${CONTAINERD}:9 notice -`,
      `${NERDCTL}:5 warning ${MISMATCH}`,
      `roles/kubespray-defaults/defaults/main/download.yml:4 warning ${MISMATCH}`
    ])
    const [cri, nerdctl, pull] = treeFindings(tree('v2.25'))
    expect(cri!.message).toBe(
      `containerd's snapshotter is set here in [plugins."io.containerd.grpc.v1.cri".containerd] from {{ containerd_snapshotter }}: only the CRI (kubelet, crictl) reads this section; nerdctl and ctr do not.`
    )
    expect(nerdctl!.message).toContain("is {{ nerdctl_snapshotter | default('overlayfs') }}, not tied")
    expect(pull!.message).toContain('nerdctl_image_pull_command pulls with ctr without --snapshotter')
  })

  it('master (v2.28+, the join fixture): two containerd templates, nerdctl_snapshotter, nerdctl pull', () => {
    expect(findingsOf('../kubespray-join')).toEqual([
      'roles/container-engine/containerd/templates/config-v1.toml.j2:16 notice -',
      `${CONTAINERD}:12 notice -`,
      `${NERDCTL}:6 warning ${MISMATCH}`,
      `roles/kubespray_defaults/defaults/main/download.yml:12 warning ${MISMATCH}`
    ])
    const [v1, v2] = treeFindings(tree('../kubespray-join'))
    expect(v1!.message).toContain('[plugins."io.containerd.grpc.v1.cri".containerd]')
    expect(v2!.message).toContain('[plugins."io.containerd.cri.v1.images"]')
  })

  it('a nerdctl.toml tied to containerd_snapshotter (the fork fix) is not a finding, nor its nerdctl pull', () => {
    const root = copyLayout('v2.21')
    writeFileSync(join(root, NERDCTL), 'snapshotter = "{{ containerd_snapshotter }}"\n')
    const reading = readKubesprayTree(root)
    if (reading.kind !== 'tree') throw new Error(reading.reason)
    expect(treeFindings(reading.tree).map(f => f.path)).toEqual([CONTAINERD])
  })
})

type Row = [Snapshotter, Tool, Variant, string]

/** Each cell's lint verdict on debian-13 (OpenZFS 2.3, so only the tools decide) as `kind signature`. */
function verdicts(layout: string, rows: readonly Row[]): [string, string][] {
  const t = tree(layout)
  const image = findImage('debian-13')!
  return rows.map(([s, tool, variant]) => {
    const cell = makeCell('debian-13', s, tool, variant)
    const v = lintCell(t, [], cell, image, cellVars(cell, checkoutPull(t))).verdict
    return [cell.id, v.kind === 'fail' ? `fail ${v.signature}` : v.kind]
  })
}

function expectVerdicts(layout: string, rows: readonly Row[]): void {
  expect(verdicts(layout, rows)).toEqual(rows.map(([s, t, v, want]) => [`debian-13/${s}/${t}/${v}`, want]))
}

describe('lint predictions per cell', () => {
  it('v2.18 ignores image_command_tool: every containerd cell pulls with nerdctl into overlayfs', () => {
    expectVerdicts('v2.18', [
      ['overlayfs', 'nerdctl', 'kubespray', 'pass'],
      ['zfs', 'nerdctl', 'kubespray', `fail ${MISMATCH}`],
      ['zfs', 'nerdctl', 'fixed', `fail ${MISMATCH}`],
      ['zfs', 'crictl', 'kubespray', `fail ${MISMATCH}`],
      ['native', 'ctr', 'fixed', `fail ${MISMATCH}`]
    ])
  })

  it('v2.21: nerdctl always unpacks into native, the fix variable does not exist yet', () => {
    expectVerdicts('v2.21', [
      ['native', 'nerdctl', 'kubespray', 'pass'],
      ['zfs', 'nerdctl', 'kubespray', `fail ${MISMATCH}`],
      ['zfs', 'nerdctl', 'fixed', `fail ${MISMATCH}`],
      ['zfs', 'crictl', 'kubespray', 'pass'],
      ['zfs', 'ctr', 'kubespray', `fail ${MISMATCH}`],
      ['zfs', 'ctr', 'fixed', 'pass']
    ])
  })

  it("v2.25: the nerdctl cell pulls with the checkout's ctr, which the fix gives --snapshotter", () => {
    expectVerdicts('v2.25', [
      ['overlayfs', 'nerdctl', 'kubespray', 'pass'],
      ['zfs', 'nerdctl', 'kubespray', `fail ${MISMATCH}`],
      ['zfs', 'nerdctl', 'fixed', 'pass'],
      ['zfs', 'ctr', 'kubespray', `fail ${MISMATCH}`],
      ['native', 'crictl', 'kubespray', 'pass'],
      ['native', 'ctr', 'fixed', 'pass']
    ])
  })

  it('overlayfs on an image with OpenZFS < 2.2 is predicted from the catalogue: 2.0 fails to mount, 2.1 to rename', () => {
    const t = tree('v2.25')
    const at = (image: string, tool: Tool) => {
      const cell = makeCell(image, 'overlayfs', tool)
      return lintCell(t, [], cell, findImage(image)!, cellVars(cell, checkoutPull(t))).verdict
    }
    expect(at('debian-11', 'crictl')).toMatchObject({ kind: 'fail', signature: 'overlayfs-mount-einval' })
    expect(at('debian-12', 'crictl')).toMatchObject({ kind: 'fail', signature: 'overlayfs-rename-whiteout' })
    expect(at('debian-12-zfs23', 'crictl')).toEqual({ kind: 'pass' })
  })

  it('a failing cell gets its own failure finding at the pull command, and a log naming every tool', () => {
    const t = tree('v2.25')
    const cell = makeCell('debian-13', 'zfs', 'nerdctl')
    const linted = lintCell(
      t,
      treeFindings(t),
      cell,
      findImage('debian-13')!,
      cellVars(cell, checkoutPull(t))
    )
    expect(linted.verdict).toEqual({
      kind: 'fail',
      signature: MISMATCH,
      message:
        'predicted: the ctr pull (nerdctl_image_pull_command) unpacks for snapshotter overlayfs but the CRI uses zfs',
      evidence: []
    })
    expect(linted.findings.filter(f => f.level === 'failure')).toEqual([
      {
        path: 'roles/kubespray-defaults/defaults/main/download.yml',
        line: 4,
        level: 'failure',
        message: expect.stringContaining(
          'Predicted for containerd_snapshotter zfs: the ctr pull'
        ) as unknown as string,
        signature: MISMATCH
      }
    ])
    expect(linted.report).toContain('kubespray 2.25.0 at ')
    expect(linted.report).toMatch(/^kubelet, crictl \(CRI\): zfs$/m)
    expect(linted.report).toMatch(/^nerdctl: overlayfs {3}<- disagrees with the CRI$/m)
    expect(linted.report).toContain(
      `    nerdctl.toml's snapshotter (${NERDCTL}:5) is {{ nerdctl_snapshotter | default('overlayfs') }} = overlayfs`
    )
    expect(linted.report).toMatch(/^pull \(nerdctl_image_pull_command, ctr\): overlayfs {3}<- disagrees/m)
  })

  it('a value only Ansible can compute makes the cell skipped, never passed', () => {
    const root = copyLayout('v2.21')
    writeFileSync(
      join(root, 'roles/container-engine/nerdctl/templates/nerdctl.toml.j2'),
      'snapshotter = "{{ my_snapshotters[inventory_hostname] }}"\n'
    )
    const reading = readKubesprayTree(root)
    if (reading.kind !== 'tree') throw new Error(reading.reason)
    const cell = makeCell('debian-13', 'zfs', 'nerdctl', 'fixed')
    const v = lintCell(
      reading.tree,
      [],
      cell,
      findImage('debian-13')!,
      cellVars(cell, checkoutPull(reading.tree))
    ).verdict
    expect(v).toEqual({
      kind: 'skipped',
      reason: expect.stringContaining(
        'cannot tell statically which snapshotter the pull uses'
      ) as unknown as string
    })
  })
})

describe('reading a checkout', () => {
  it('says what is missing when the path is not a kubespray checkout', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'cluster.yml'), '---\n')
    expect(readKubesprayTree(dir)).toEqual({
      kind: 'not-kubespray',
      reason: `${dir} is not a kubespray checkout (missing scale.yml, reset.yml, roles/container-engine/containerd/templates)`
    })
  })

  it('parses the value shapes kubespray uses', () => {
    expect(parseTemplateValue(`"{{ nerdctl_snapshotter | default('overlayfs') }}"`)).toEqual({
      kind: 'variable',
      name: 'nerdctl_snapshotter',
      fallback: 'overlayfs'
    })
    expect(parseTemplateValue('"{{ containerd_snapshotter }}"')).toEqual({
      kind: 'variable',
      name: 'containerd_snapshotter'
    })
    expect(parseTemplateValue('"native"')).toEqual({ kind: 'literal', value: 'native' })
    expect(parseTemplateValue('overlayfs')).toEqual({ kind: 'literal', value: 'overlayfs' })
    expect(parseTemplateValue(`"{{ a if b else 'c' }}"`)).toEqual({
      kind: 'other',
      text: "{{ a if b else 'c' }}"
    })
  })
})

describe('the lint scenario', () => {
  const log = {
    info: () => undefined,
    warning: () => undefined,
    error: () => undefined,
    group: <T>(_: string, b: () => Promise<T>) => b()
  }
  const scenario = (kubesprayPath: string | null, kubesprayRef: string | null = null) => {
    const config = { kubesprayPath, kubesprayRef, kubesprayVars: {} } as unknown as Config
    const host = { exec: processExecutor, workDir: tempDir(), signal: new AbortController().signal }
    return lintScenario({ config, log, kubespray: () => resolveCheckout(config, host) })
  }
  const image = findImage('debian-12')!

  it('is unavailable, with the reason, without a checkout or on a tree that is not kubespray', async () => {
    expect(await scenario(null).open(image, {} as never)).toEqual({
      kind: 'unavailable',
      reason: NO_CHECKOUT
    })
    expect(await scenario(tempDir()).open(image, {} as never)).toMatchObject({
      kind: 'unavailable',
      reason: expect.stringContaining('is not a kubespray checkout') as unknown as string
    })
  })

  it('writes each cell’s lint log and returns its findings', async () => {
    const opened = await scenario(join(FIXTURES, 'v2.21')).open(image, {} as never)
    if (opened.kind !== 'ready') throw new Error('not ready')
    const logDir = tempDir()
    const attempt = await opened.session.run(makeCell('debian-12', 'native', 'nerdctl'), {
      attempt: 1,
      signal: new AbortController().signal,
      logDir
    })
    expect(attempt.verdict).toEqual({ kind: 'pass' })
    expect(attempt.logs).toEqual([join(logDir, 'lint.txt')])
    expect(readFileSync(join(logDir, 'lint.txt'), 'utf8')).toContain('verdict: pass')
    expect(attempt.findings).toHaveLength(3)
    await opened.session.close()
  })

  it('with kubespray-ref reads that ref from git, not the working tree; a missing ref is skipped with git’s words', async () => {
    const repo = copyLayout('v2.21')
    const git = (...args: string[]) =>
      spawnSync('git', ['-C', repo, '-c', 'user.email=t@t', '-c', 'user.name=t', ...args], {
        encoding: 'utf8'
      })
    expect(git('init', '-q').status).toBe(0)
    expect(git('add', '-A').status).toBe(0)
    expect(git('commit', '-qm', 'v2.21 layout').status).toBe(0)
    expect(git('tag', 'old').status).toBe(0)
    // The working tree moves on: nerdctl follows containerd_snapshotter.
    writeFileSync(join(repo, NERDCTL), 'snapshotter = "{{ containerd_snapshotter }}"\n')
    const opened = await scenario(repo, 'old').open(image, {} as never)
    if (opened.kind !== 'ready') throw new Error(JSON.stringify(opened))
    const attempt = await opened.session.run(makeCell('debian-12', 'zfs', 'nerdctl'), {
      attempt: 1,
      signal: new AbortController().signal,
      logDir: tempDir()
    })
    expect(attempt.verdict).toMatchObject({ kind: 'fail', signature: 'tool-snapshotter-mismatch' })
    expect(attempt.findings!.some(f => f.message.includes('hard-coded to "native"'))).toBe(true)

    const missing = await scenario(repo, 'v9.99.0').open(image, {} as never)
    expect(missing).toMatchObject({
      kind: 'unavailable',
      reason: expect.stringMatching(
        /^kubespray-ref v9\.99\.0 of .*: git -C .* archive .* failed with exit code 128:\n.*v9\.99\.0/s
      ) as unknown as string
    })
  })
})

/** A writable copy of a fixture layout, to vary one file. */
function copyLayout(layout: string): string {
  const root = tempDir()
  const from = join(FIXTURES, layout)
  for (const path of [
    'cluster.yml',
    'scale.yml',
    'reset.yml',
    'roles/container-engine/containerd/templates/config.toml.j2',
    'roles/container-engine/containerd/defaults/main.yml',
    NERDCTL,
    ...(layout === 'v2.25'
      ? ['roles/kubespray-defaults/defaults/main/download.yml']
      : ['roles/download/defaults/main.yml'])
  ]) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), readFileSync(join(from, path)))
  }
  return root
}
