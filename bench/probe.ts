/**
 * `npm run bench`: measures the probe tier on this machine and writes bench/out/probe.json.
 * - the whole default probe matrix with a warm image cache: wall seconds, median seconds per cell that
 *   really ran (skipped cells excluded), VM boots, statuses;
 * - a subset (one image, every snapshotter, ctr and crictl) run twice in the same process: as the action
 *   runs it (one VM for the image, a reset between cells) and naively (a fresh VM for every cell); the
 *   ratio of the two is what sharing one VM per image buys.
 * Usage: tsx bench/probe.ts [--images debian-11,debian-12] [--subset-image debian-12] [--no-matrix]
 */
import type { RawInputs } from '../src/inputs/spec.js'
import { withScriptHost } from '../scripts/script-host.js'
import {
  flag,
  hasFlag,
  log,
  machine,
  measure,
  median,
  round,
  statusCounts,
  type Measured,
  writeResult
} from './bench-kit.js'

const subsetImage = flag('subset-image') ?? 'debian-12'

function summary(m: Measured) {
  const ran = m.cells.filter(c => c.status !== 'skipped')
  return {
    wall_seconds: round(m.seconds),
    cells: m.cells.length,
    cells_run: ran.length,
    median_seconds_per_cell: round(median(ran.map(c => c.durationSeconds))),
    // Every probe session that opens ready is one VM.
    vm_boots: m.timings.opens.length,
    statuses: statusCounts(m.cells)
  }
}

const report = await withScriptHost(log, async host => {
  const subset: RawInputs = {
    images: subsetImage,
    tools: 'ctr, crictl',
    variants: 'kubespray',
    tiers: 'probe'
  }
  const images = flag('images')
  const matrix = hasFlag('no-matrix')
    ? undefined
    : await measure(host, 'matrix', { tiers: 'probe', ...(images === undefined ? {} : { images }) })
  const shared = await measure(host, 'subset-shared', subset)
  const naive = await measure(host, 'subset-naive', subset, true)
  return {
    benchmark: 'probe',
    date: new Date().toISOString(),
    ...machine(),
    whole_matrix:
      matrix === undefined
        ? null
        : {
            ...summary(matrix),
            cells_by_image: Object.fromEntries(
              [...new Set(matrix.cells.map(c => c.image))].map(image => [
                image,
                Object.fromEntries(
                  matrix.cells
                    .filter(c => c.image === image)
                    .map(c => [
                      `${c.snapshotter}/${c.tool}/${c.variant}`,
                      c.status === 'fail' ? `fail ${c.signature}` : c.status
                    ])
                )
              ])
            )
          },
    one_vm_per_image_vs_fresh_vm_per_cell: {
      cells: `${subsetImage} × overlayfs, zfs, native × ctr, crictl (kubespray variant)`,
      shared: summary(shared),
      naive: summary(naive),
      ratio_naive_over_shared: Math.round((naive.seconds / shared.seconds) * 100) / 100
    }
  }
})
writeResult('probe', report)
