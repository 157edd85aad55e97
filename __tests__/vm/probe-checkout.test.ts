/**
 * The probe configuring real VMs from a checkout: the kubespray-shaped fixture layouts, rendered by
 * Debian's Ansible for each booted node, then the pull and the container as on a kubespray node. A
 * fixed fork must pass where upstream's layouts fail, and each cell must keep what it was given.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from '@jest/globals'
import type { CellResult } from '../../src/results/cell-result.js'
import { stringify } from 'yaml'
import { tempDir } from '../helpers.js'
import { renderFixture, type RenderLayout } from '../kubespray-fixtures.js'
import { servePinned } from './pinned-fixture.js'
import { expectNothingLeft, readCells, runCli } from './run-cli.js'
import { vmTestsEnabled } from './vm-env.js'

const describeVm = vmTestsEnabled() ? describe : describe.skip

/** One run of lint and probe on `layout`, ctr and crictl. */
function probe(
  layout: RenderLayout,
  image: string,
  snapshotters: string,
  variants = 'kubespray',
  extra: {
    readonly vars?: Record<string, string>
    readonly tools?: string
    readonly flags?: readonly string[]
  } = {}
) {
  const dir = tempDir()
  const checkout = renderFixture(layout, dir)
  // A value no cached render has: the render runs for real, facts gathered from this run's node.
  const vars = join(dir, 'vars.yml')
  writeFileSync(vars, stringify({ ...extra.vars, zjm_test_run: randomBytes(6).toString('hex') }))
  const run = runCli([
    ...['--images', image, '--tiers', 'lint,probe', '--snapshotters', snapshotters],
    ...['--tools', extra.tools ?? 'ctr,crictl', '--variants', variants],
    ...['--kubespray-path', checkout, '--kubespray-vars', vars, '--ansible', 'system'],
    ...(extra.flags ?? [])
  ])
  return { ...run, cells: readCells(run.out), checkout }
}

/** The status, with the signature of a failure and the message of an error (so a mismatch says why). */
function outcome(c: CellResult): string {
  if (c.status === 'fail') return `fail ${c.signature}`
  return c.status === 'error' ? `error: ${c.message}` : c.status
}

/** What every probed cell keeps: the files as rendered, the overlays, the pull as evaluated and run. */
function expectRecord(out: string, cell: CellResult, evaluated: RegExp): void {
  const dir = join(out, 'logs', cell.image, cell.snapshotter, cell.tool, cell.variant, 'probe', 'attempt-1')
  for (const f of [
    'rendered/etc/containerd/config.toml',
    'rendered/etc/crictl.yaml',
    'overlays.diff',
    'pull.txt'
  ]) {
    expect([cell.id, f, existsSync(join(dir, f))]).toEqual([cell.id, f, true])
  }
  expect(readFileSync(join(dir, 'rendered/etc/containerd/config.toml'), 'utf8')).toContain(
    `snapshotter = "${cell.snapshotter}"`
  )
  expect(readFileSync(join(dir, 'overlays.diff'), 'utf8')).toMatch(
    /^# kubespray checkout .*, rendered by Ansible\n.*SystemdCgroup = false/
  )
  expect(readFileSync(join(dir, 'pull.txt'), 'utf8')).toMatch(evaluated)
}

describeVm('the probe renders the checkout under test on real VMs', () => {
  it(
    'a fixed fork passes on zfs and native with ctr and crictl, with its own files and pull on every node',
    () => {
      const { out, tmp, cells, stderr } = probe('fixed-fork', 'debian-13', 'zfs,native')
      expect(stderr).toMatch(
        /probe: debian-13: .* rendered for 4 cells in [\d.]+s \(4 var sets by Ansible, 0 from the cache\)/
      )
      expect(cells.map(c => [c.id, outcome(c)])).toEqual([
        ['debian-13/zfs/ctr/kubespray', 'pass'],
        ['debian-13/zfs/crictl/kubespray', 'pass'],
        ['debian-13/native/ctr/kubespray', 'pass'],
        ['debian-13/native/crictl/kubespray', 'pass']
      ])
      for (const c of cells) {
        expect(c.tier).toBe('probe')
        // Lint read the fork right: its prediction matched the rendered files and the node.
        expect([c.id, c.lintCheck]).toEqual([c.id, { agrees: true, differences: [] }])
        expectRecord(
          out,
          c,
          c.tool === 'ctr'
            ? new RegExp(
                `^evaluated: /usr/local/bin/ctr -n k8s.io images pull --snapshotter=${c.snapshotter} --hosts-dir /etc/containerd/certs.d 127\\.0\\.0\\.1:5000/`
              )
            : /^evaluated: \/usr\/local\/bin\/crictl pull 127\.0\.0\.1:5000\//
        )
      }
      expect(existsSync(join(out, 'logs/debian-13/render.log'))).toBe(true)
      const report = readFileSync(join(out, 'report.md'), 'utf8')
      expect(report).toMatch(/\*\*Kubespray:\*\* .*kubespray-fixed-fork/)
      expect(report).toContain(
        "**Lint vs probe:** lint's prediction matched what the probe saw on 4 of 4 cells."
      )
      expectNothingLeft(tmp)
    },
    30 * 60_000
  )

  it(
    "upstream v2.25's own ctr pull unpacks outside the CRI's snapshotter (S2), crictl passes, the fix passes",
    () => {
      const { out, tmp, cells } = probe('v2.25', 'debian-13', 'zfs', 'kubespray,fixed')
      expect(cells.map(c => [c.id, outcome(c)])).toEqual([
        ['debian-13/zfs/ctr/kubespray', 'fail tool-snapshotter-mismatch'],
        ['debian-13/zfs/crictl/kubespray', 'pass'],
        // containerd 1.7 takes the fix's transfer-service table as it is.
        ['debian-13/zfs/ctr/fixed', 'pass'],
        ['debian-13/zfs/crictl/fixed', 'pass']
      ])
      const ctr = cells[0]!
      expect(ctr.tier).toBe('probe')
      if (ctr.status === 'fail')
        expect(ctr.message).toMatch(/^ctr pulled .* unpacked for snapshotter overlayfs but the CRI uses zfs/)
      // The failed cell names the checkout's line that gave its pull no snapshotter.
      expect(ctr.cause).toContain(
        'nerdctl_image_pull_command at roles/kubespray-defaults/defaults/main/download.yml:4'
      )
      expectRecord(out, ctr, /^evaluated: \/usr\/local\/bin\/ctr -n k8s\.io images pull --hosts-dir /)
      expectNothingLeft(tmp)
    },
    30 * 60_000
  )

  it(
    "master on containerd 2.x: the v3 config's CRI snapshotter, whose pulls the transfer service cannot unpack (S3)",
    () => {
      const { out, tmp, cells } = probe('master', 'debian-13-containerd2', 'zfs,native', 'kubespray,fixed')
      expect(cells.map(c => [c.id, outcome(c)])).toEqual([
        // Debian builds its containerd 2.x without the zfs snapshotter: the probe cannot test these
        // cells (lint's S2 prediction for the ctr pull stands, the others are skipped).
        ['debian-13-containerd2/zfs/ctr/kubespray', 'fail tool-snapshotter-mismatch'],
        ['debian-13-containerd2/zfs/crictl/kubespray', 'skipped'],
        // containerd >= 2.1 pulls CRI images through its transfer service, which unpacks for overlayfs
        // only unless told otherwise: every CRI pull fails, the sandbox's included.
        ['debian-13-containerd2/native/ctr/kubespray', 'fail cri-transfer-unpack-missing'],
        ['debian-13-containerd2/native/crictl/kubespray', 'fail cri-transfer-unpack-missing'],
        ['debian-13-containerd2/zfs/ctr/fixed', 'skipped'],
        ['debian-13-containerd2/zfs/crictl/fixed', 'skipped'],
        // The fix lists the CRI's snapshotter for the transfer service: the pulls and the container work.
        ['debian-13-containerd2/native/ctr/fixed', 'pass'],
        ['debian-13-containerd2/native/crictl/fixed', 'pass']
      ])
      expect(cells[0]!.tier).toBe('lint')
      const skipped = cells[1]!
      if (skipped.status === 'skipped') expect(skipped.reason).toMatch(/has no zfs snapshotter built in/)
      for (const c of cells.filter(c => c.snapshotter === 'native')) {
        expect(c.versions.containerd).toMatch(/^2\./)
        const config = readFileSync(
          join(
            out,
            'logs',
            c.image,
            'native',
            c.tool,
            c.variant,
            'probe',
            'attempt-1',
            'rendered/etc/containerd/config.toml'
          ),
          'utf8'
        )
        expect(config).toMatch(/^version = 3\n/)
        expect(config).toContain('[plugins."io.containerd.cri.v1.images"]\n    snapshotter = "native"')
      }
      expectNothingLeft(tmp)
    },
    30 * 60_000
  )

  it(
    'probe-binaries: checkout: the node runs the containerd and runc the checkout pins, fetched and checked by the host',
    () => {
      // bookworm's containerd 1.6 pinned on the trixie image (whose own is 1.7): the node must run the pin.
      const server = servePinned(tempDir())
      try {
        const { out, tmp, cells, stderr } = probe('master', 'debian-13', 'zfs', 'kubespray,fixed', {
          vars: server.vars,
          tools: 'ctr',
          flags: ['--probe-binaries', 'checkout']
        })
        expect(stderr).toContain(`probe: the checkout's pins: containerd ${server.containerdVersion}, runc `)
        expect(cells.map(c => [c.id, outcome(c)])).toEqual([
          ['debian-13/zfs/ctr/kubespray', 'fail tool-snapshotter-mismatch'],
          ['debian-13/zfs/ctr/fixed', 'pass']
        ])
        for (const c of cells) {
          expect(c.versions.containerd).toMatch(
            new RegExp(
              `^${server.containerdVersion.replace(/\./g, '\\.')} \\(the checkout's pin: containerd .*${server.containerdVersion}`
            )
          )
          // The checkout's template for containerd < 2.0, chosen by the pinned version.
          const config = readFileSync(
            join(
              out,
              'logs',
              c.image,
              'zfs',
              'ctr',
              c.variant,
              'probe',
              'attempt-1',
              'rendered/etc/containerd/config.toml'
            ),
            'utf8'
          )
          expect(config).toMatch(/^version = 2\n/)
        }
        expectNothingLeft(tmp)
      } finally {
        server.stop()
      }
    },
    30 * 60_000
  )
})
