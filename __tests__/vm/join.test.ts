/**
 * The join tier through the bundled CLI, with real ansible-playbook (Debian's), real VMs on a private
 * link, and a kubespray-shaped fixture repository (__tests__/fixtures/kubespray-join) instead of
 * kubespray: no Kubernetes binaries can be downloaded here. Everything up to the Kubernetes checks is
 * real (inventory, cluster.yml on a control plane, scale.yml on a fresh ZFS-backed worker per cell with
 * the cell's vars, the pull with kubespray's ctr command, offline variables passing through, the logs);
 * the check then says, as it must, that no kubelet was installed, so the cells are errors, never passes.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import type { CellResult } from '../../src/results/cell-result.js'
import { expectNothingLeft, readCells, runCli, type CliRun } from './run-cli.js'
import { vmTestsEnabled } from './vm-env.js'

const describeVm = vmTestsEnabled() ? describe : describe.skip
const root = resolve(import.meta.dirname, '../..')
const FIXTURE = join(root, '__tests__/fixtures/kubespray-join')

/** kubespray's offline variables, pointed at a registry the fixture serves on each node's loopback. */
const OFFLINE_VARS = join(root, '__tests__/fixtures/kubespray-join-offline.yml')

describeVm('join tier on real VMs with a kubespray-shaped fixture', () => {
  // The two variants' joins are split over the two runs below (kubespray's here, the fix's in the
  // rejoin run, whose join tier joins its first worker), so that no join is paid for twice.
  it(
    "builds a control plane, joins a fresh ZFS-backed worker with the cell's vars, keeps the logs and cleans up",
    () => {
      const { out, tmp, stderr } = runFixture([
        '--tools',
        'ctr',
        '--variants',
        'kubespray',
        '--tiers',
        'lint,join'
      ])
      // Ansible's output streams into the run's log as it comes.
      expect(stderr).toContain(
        "join: building the control plane of debian-12 (cluster.yml --limit '!for_scale'), kept for every cell of its join tiers"
      )
      expect(stderr).toMatch(/^ {2}TASK \[download : /m)
      expect(stderr).toMatch(/^\[2\/2\] join debian-12\/zfs\/ctr\/kubespray … error /m)

      const cluster = readFileSync(join(out, 'logs/debian-12/control-plane/ansible-cluster.log'), 'utf8')
      expect(cluster).toMatch(/^cp-debian-12 +: ok=\d+ +changed=\d+ +unreachable=0 +failed=0/m)

      const cells = readCells(out)
      expect(cells.map(c => c.id)).toEqual(['debian-12/zfs/ctr/kubespray'])
      const cell = cells[0]!
      // The fixture installs no kubelet: the join is an error, never a pass.
      expect(cell).toMatchObject({ status: 'error', tier: 'join', message: noKubelet('w-debian-12-1') })
      expectJoined(out, cell, 'w-debian-12-1')
      // The lint tier predicted exactly the mismatch the join's pull showed.
      expect(cell.tiers.find(t => t.tier === 'lint')).toMatchObject({
        status: 'fail',
        signature: 'tool-snapshotter-mismatch'
      })
      expectNothingLeft(tmp)
    },
    40 * 60_000
  )

  it(
    'rejoin: on the join tier’s control plane, scales again without reset, resets, scales after reset, and reports every step',
    () => {
      const { out, tmp, stderr } = runFixture([
        '--tools',
        'ctr',
        '--variants',
        'fixed',
        '--tiers',
        'lint,join,rejoin'
      ])
      // One cluster.yml serves both tiers.
      expect(stderr.match(/building the control plane of debian-12/g)).toHaveLength(1)
      const [cell, ...more] = readCells(out)
      expect(more).toEqual([])
      expect(cell!.tiers.map(t => [t.tier, t.status])).toEqual([
        ['lint', 'pass'],
        ['join', 'error'],
        ['rejoin', 'error']
      ])
      // The join tier joined the fix's first worker: its pull unpacked into zfs.
      expect(cell!.tiers[1]).toMatchObject({ message: noKubelet('w-debian-12-1') })
      expectJoined(out, cell!, 'w-debian-12-1')
      // Every step ran and is reported; the fixture installs no kubelet, so the scales are errors. The
      // rejoin's worker is the plane's second, never a name the join tier's worker had.
      const w2 = noKubelet('w-debian-12-2')
      expect(cell).toMatchObject({
        id: 'debian-12/zfs/ctr/fixed',
        status: 'error',
        tier: 'rejoin',
        message: `first scale: ${w2}; scale again without reset: ${w2}; reset.yml: ok; scale after reset: ${w2}`
      })
      const attemptDir = join(out, 'logs/debian-12/zfs/ctr/fixed/rejoin/attempt-1')
      const log = (step: string) => readFileSync(join(attemptDir, `ansible-${step}.log`), 'utf8')
      const recap = /^w-debian-12-2 +: ok=\d+ +changed=\d+ +unreachable=0 +failed=0/m
      for (const step of ['scale', 'rescale', 'reset', 'scale-after-reset']) expect(log(step)).toMatch(recap)
      // The reset really undid the join: it removed the pulled image, and the scale after it wrote
      // nerdctl's config anew, where scaling again without reset found it in place.
      expect(log('reset')).toMatch(
        /TASK \[reset : Reset \| Remove every image \(and its snapshots\) from the k8s.io namespace\] \*+\nchanged: \[w-debian-12-2\]/
      )
      const nerdctlConfig = /TASK \[container-engine\/nerdctl : Nerdctl \| Write nerdctl.toml\] \*+\n(\w+): /
      expect(log('rescale').match(nerdctlConfig)?.[1]).toBe('ok')
      expect(log('scale-after-reset').match(nerdctlConfig)?.[1]).toBe('changed')
      // After the reset the image was pulled again, into the cell's snapshotter.
      const snapshots = readFileSync(join(attemptDir, 'snapshots.txt'), 'utf8')
      expect(snapshots.split('== zfs\n')[1]!.split('\n== ')[0]).toMatch(/\n\S+/)
      expectNothingLeft(tmp)
    },
    40 * 60_000
  )
})

const noKubelet = (worker: string) =>
  `scale.yml succeeded but left no /usr/local/bin/kubelet on ${worker}: this checkout installs no Kubernetes, so the join cannot be checked`

/**
 * What the join tier left for a cell: the cell's vars on its worker only, scale.yml's recap, the pull
 * from the fixture's registry, and where the pull really unpacked (kubespray's ctr pull into
 * overlayfs, the fix's into zfs).
 */
function expectJoined(out: string, cell: CellResult, worker: string): void {
  expect(cell.versions.openzfs).toMatch(/^2\.1\./)
  const attemptDir = join(out, 'logs/debian-12/zfs/ctr', cell.variant, 'join/attempt-1')
  const log = (name: string) => {
    const path = cell.logs.find(l => l.endsWith(`/join/attempt-1/${name}`))
    expect(path).toBeDefined()
    return readFileSync(join(out, path!), 'utf8')
  }
  const hostVars = readFileSync(join(attemptDir, `inventory/host_vars/${worker}.yml`), 'utf8')
  expect(hostVars).toContain('containerd_snapshotter: zfs')
  const scale = log('ansible-scale.log')
  expect(scale).toMatch(new RegExp(`^${worker} +: ok=\\d+ +changed=\\d+ +unreachable=0 +failed=0`, 'm'))
  expect(scale).toContain('127.0.0.1:5000/library/nginx:fixture')
  expect(log('node-config.txt')).toMatch(/snapshotter = "zfs"/)
  const snapshots = log('snapshots.txt')
  const listed = (s: string) =>
    snapshots
      .split(`== ${s}\n`)[1]!
      .split('\n== ')[0]!
      .split('\n')
      .filter(l => l.trim() !== '').length - 1
  const [unpacked, empty] = cell.variant === 'kubespray' ? ['overlayfs', 'zfs'] : ['zfs', 'overlayfs']
  expect([unpacked, listed(unpacked) > 0]).toEqual([unpacked, true])
  expect([empty, listed(empty)]).toEqual([empty, 0])
  for (const l of cell.logs) expect(existsSync(join(out, l))).toBe(true)
  expect(cell.logs.some(l => l.endsWith('kubelet.log'))).toBe(true)
}

/** The bundled CLI on the fixture with its offline vars: debian-12, zfs, and the given flags. */
function runFixture(flags: readonly string[]): CliRun {
  return runCli([
    ...['--images', 'debian-12', '--snapshotters', 'zfs', ...flags],
    ...['--kubespray-path', FIXTURE, '--kubespray-vars', OFFLINE_VARS, '--ansible', 'system']
  ])
}
