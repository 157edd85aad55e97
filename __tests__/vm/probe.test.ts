/**
 * The probe tier for real, through the bundled CLI, without a checkout (the model of upstream):
 * debian-11 (OpenZFS 2.0) and debian-12 (2.1) VMs, every snapshotter, ctr, both variants; every cell's
 * container runs through the CRI. The statuses and signatures asserted here are DESIGN §4.2's physics;
 * if a future image changes them, this test says which cell moved. The crictl path and a checkout's
 * render are in probe-checkout.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { Readable } from 'node:stream'
import { scanLogs } from '../../src/diagnose/scan-logs.js'
import type { CellResult } from '../../src/results/cell-result.js'
import { expectNothingLeft, readCells, runCli } from './run-cli.js'
import { vmTestsEnabled } from './vm-env.js'

const describeVm = vmTestsEnabled() ? describe : describe.skip

type Expected = { status: 'pass' } | { status: 'fail'; signature: string }

/** What each cell must show, by image, snapshotter, tool and variant. */
function expected(cell: Pick<CellResult, 'image' | 'snapshotter' | 'tool' | 'variant'>): Expected {
  if (cell.snapshotter === 'overlayfs') {
    // OpenZFS 2.0 refuses the overlay mount; 2.1 mounts it but cannot rename a lower-layer file.
    // No configuration fixes that, so the fixed variant fails the same way.
    return {
      status: 'fail',
      signature: cell.image === 'debian-11' ? 'overlayfs-mount-einval' : 'overlayfs-rename-whiteout'
    }
  }
  // zfs and native work; but ctr as kubespray runs it unpacks into overlayfs, not the CRI's snapshotter.
  if (cell.tool === 'ctr' && cell.variant === 'kubespray') {
    return { status: 'fail', signature: 'tool-snapshotter-mismatch' }
  }
  return { status: 'pass' }
}

describeVm('probe tier on real VMs', () => {
  it(
    'reproduces the overlayfs-on-ZFS failures, the tool mismatch and the fix, and leaves nothing behind',
    async () => {
      const { out, tmp, stderr } = runCli([
        '--images',
        'debian-11,debian-12',
        '--tiers',
        'probe',
        '--tools',
        'ctr'
      ])
      expect(stderr).toMatch(/\[12\/12\] probe /)

      const cells = readCells(out)
      expect(cells).toHaveLength(12)
      const seen = cells.map(c => ({
        id: c.id,
        status: c.status,
        ...(c.status === 'fail' ? { signature: c.signature } : {}),
        // A cell that did not run says why, so a failure here names the cause.
        ...(c.status === 'skipped' ? { reason: c.reason } : {}),
        ...(c.status === 'error' ? { message: c.message } : {})
      }))
      expect(seen).toEqual(cells.map(c => ({ id: c.id, ...expected(c) })))

      for (const c of cells) {
        expect(c.versions.kernel).toMatch(c.image === 'debian-11' ? /^5\.10\./ : /^6\.1\./)
        expect(c.versions.openzfs).toMatch(c.image === 'debian-11' ? /^2\.0\./ : /^2\.1\./)
        expect(c.versions.containerd).toMatch(c.image === 'debian-11' ? /^1\.4\./ : /^1\.6\./)
        expect(c.versions.tool).toMatch(/^ctr .*containerd/)
        // No checkout: the cell itself says it was configured by the model.
        expect(c.notes).toEqual(['kubespray model: upstream templates as of v2.31.0; no checkout given'])
        for (const log of c.logs) expect(existsSync(join(out, log))).toBe(true)
        expect(c.logs.some(l => l.endsWith('kernel.log'))).toBe(true)
      }
      // The kernel's own words are kept with the cell: the RENAME_WHITEOUT warning on 2.1.
      const z2 = cells.find(c => c.id === 'debian-12/overlayfs/ctr/kubespray')!
      const kernel = readFileSync(
        join(
          out,
          z2.logs.find(l => l.endsWith('kernel.log'))!
        ),
        'utf8'
      )
      expect(kernel).toMatch(/overlayfs: upper fs does not support RENAME_WHITEOUT/)

      const report = readFileSync(join(out, 'report.md'), 'utf8')
      expect(report).toContain(
        '**Kubespray:** kubespray model: upstream templates as of v2.31.0; no checkout given'
      )
      expect(report).toMatch(/\| debian-11 · fixed<br>kernel 5\.10\./)
      expect(report).toContain('**Z1**')
      expect(report).toContain('**Z2**')
      expect(report).toContain('**S2**')

      // The cells' own logs, handed to `diagnose` as a user would hand theirs, name each failure as the
      // probe did (Z1, Z2 from the container and the kernel, S2 from the snapshot check in steps.log).
      for (const c of cells.filter(c => c.status === 'fail')) {
        const found = await scanLogs(
          c.logs.map(l => join(out, l)),
          Readable.from([])
        )
        expect({ id: c.id, root: found.findings[0]?.signature.id }).toEqual({
          id: c.id,
          root: c.status === 'fail' ? c.signature : undefined
        })
      }
      const s2 = cells.find(c => c.id === 'debian-12/zfs/ctr/kubespray')!
      const steps = readFileSync(
        join(
          out,
          s2.logs.find(l => l.endsWith('steps.log'))!
        ),
        'utf8'
      )
      expect(steps).toMatch(
        /snapshots: ctr pulled \S+ unpacked for snapshotter overlayfs but the CRI uses zfs$/m
      )

      expectNothingLeft(tmp)
    },
    40 * 60_000
  )
})
