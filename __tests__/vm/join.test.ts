/**
 * The join tier through the bundled CLI, with real ansible-playbook (Debian's), real VMs on a private
 * link, and a kubespray-shaped fixture repository (__tests__/fixtures/kubespray-join) instead of
 * kubespray: no Kubernetes binaries can be downloaded here. Everything up to the Kubernetes checks is
 * real (inventory, cluster.yml on a control plane, scale.yml on a fresh ZFS-backed worker per cell with
 * the cell's vars, the pull with kubespray's ctr command, offline variables passing through, the logs);
 * the check then says, as it must, that no kubelet was installed, so the cells are errors, never passes.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import type { CellResult } from '../../src/results/cell-result.js'
import { tempDir } from '../helpers.js'
import { IMAGE_CACHE, MIRROR, vmTestsEnabled } from './vm-env.js'

const describeVm = vmTestsEnabled() ? describe : describe.skip
const root = resolve(import.meta.dirname, '../..')
const FIXTURE = join(root, '__tests__/fixtures/kubespray-join')

/** kubespray's offline variables, pointed at a registry the fixture serves on each node's loopback. */
const OFFLINE_VARS = `docker_image_repo: 127.0.0.1:5000
nginx_image_tag: fixture
containerd_registries_mirrors:
  - prefix: 127.0.0.1:5000
    mirrors:
      - host: http://127.0.0.1:5000
        capabilities: [pull, resolve]
        skip_verify: true
`

describeVm('join tier on real VMs with a kubespray-shaped fixture', () => {
  it(
    'builds a control plane, joins a fresh ZFS-backed worker per cell with its vars, keeps the logs and cleans up',
    () => {
      const dir = tempDir()
      const tmp = join(dir, 'tmp')
      mkdirSync(tmp)
      const out = join(dir, 'out')
      writeFileSync(join(dir, 'offline.yml'), OFFLINE_VARS)
      const r = spawnSync(
        'node',
        [
          join(root, 'dist/cli/index.js'),
          'run',
          ...['--images', 'debian-12', '--snapshotters', 'zfs', '--tools', 'ctr', '--tiers', 'lint,join'],
          ...['--kubespray-path', FIXTURE, '--kubespray-vars', 'offline.yml', '--ansible', 'system'],
          ...['--image-cache', IMAGE_CACHE, '--mirror', MIRROR, '--runner-setup', 'never'],
          ...['--fail-on', 'never', '--output-dir', out]
        ],
        { cwd: dir, encoding: 'utf8', timeout: 40 * 60_000, env: { ...process.env, TMPDIR: tmp } }
      )
      const stderr = r.stderr
      expect({ status: r.status, tail: stderr.split('\n').slice(-40).join('\n') }).toMatchObject({
        status: 0
      })
      // Ansible's output streams into the run's log as it comes.
      expect(stderr).toContain(
        "join: building the control plane of debian-12 (cluster.yml --limit '!for_scale')"
      )
      expect(stderr).toMatch(/^ {2}TASK \[download : /m)
      expect(stderr).toMatch(/^\[4\/4\] join debian-12\/zfs\/ctr\/fixed … error /m)

      const cluster = readFileSync(join(out, 'logs/debian-12/join-control-plane/ansible-cluster.log'), 'utf8')
      expect(cluster).toMatch(/^cp-debian-12 +: ok=\d+ +changed=\d+ +unreachable=0 +failed=0/m)

      const cells = (JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { cells: CellResult[] })
        .cells
      expect(cells.map(c => c.id)).toEqual(['debian-12/zfs/ctr/kubespray', 'debian-12/zfs/ctr/fixed'])
      cells.forEach((cell, i) => {
        const worker = `w-debian-12-${i + 1}`
        // The fixture installs no kubelet: the join is an error, never a pass.
        expect(cell).toMatchObject({
          status: 'error',
          tier: 'join',
          message: `scale.yml succeeded but left no /usr/local/bin/kubelet on ${worker}: this checkout installs no Kubernetes, so the join cannot be checked`
        })
        expect(cell.versions.openzfs).toMatch(/^2\.1\./)
        const log = (name: string) => {
          const path = cell.logs.find(l => l.endsWith(`/join/attempt-1/${name}`))
          expect(path).toBeDefined()
          return readFileSync(join(out, path!), 'utf8')
        }
        // The cell's vars reached the worker, and only the worker.
        const attemptDir = join(out, 'logs/debian-12/zfs/ctr', cell.variant, 'join/attempt-1')
        const hostVars = readFileSync(join(attemptDir, `inventory/host_vars/${worker}.yml`), 'utf8')
        expect(hostVars).toContain('containerd_snapshotter: zfs')
        const scale = log('ansible-scale.log')
        expect(scale).toMatch(new RegExp(`^${worker} +: ok=\\d+ +changed=\\d+ +unreachable=0 +failed=0`, 'm'))
        expect(scale).toContain('127.0.0.1:5000/library/nginx:fixture')
        expect(log('node-config.txt')).toMatch(/snapshotter = "zfs"/)
        // What the pull really did: kubespray's ctr pull unpacks into overlayfs, the fixed one into zfs.
        const snapshots = log('snapshots.txt')
        const listed = (s: string) =>
          snapshots
            .split(`== ${s}\n`)[1]!
            .split('\n== ')[0]!
            .split('\n')
            .filter(l => l.trim() !== '').length - 1
        if (cell.variant === 'kubespray') {
          expect(listed('overlayfs')).toBeGreaterThan(0)
          expect(listed('zfs')).toBe(0)
        } else {
          expect(listed('zfs')).toBeGreaterThan(0)
          expect(listed('overlayfs')).toBe(0)
        }
        for (const l of cell.logs) expect(existsSync(join(out, l))).toBe(true)
        expect(cell.logs.some(l => l.endsWith('kubelet.log'))).toBe(true)
      })
      // The lint tier predicted exactly that mismatch for the kubespray variant.
      expect(cells[0]!.tiers.find(t => t.tier === 'lint')).toMatchObject({
        status: 'fail',
        signature: 'tool-snapshotter-mismatch'
      })
      expect(cells[1]!.tiers.find(t => t.tier === 'lint')).toMatchObject({ status: 'pass' })

      // Nothing left: no qemu or ssh of this run, no temp files.
      expect(spawnSync('pgrep', ['-f', tmp]).status).toBe(1)
      expect(readdirSync(tmp)).toEqual([])
    },
    40 * 60_000
  )
})
