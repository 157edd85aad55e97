/**
 * `npm run bench`: measures the probe tier on this machine and writes bench/out/probe.json.
 * - the whole default probe matrix with a warm image cache, twice: wall seconds, median seconds per cell
 *   that really ran (skipped cells excluded), VM boots, statuses, where a cell's time goes (each stage's
 *   median and p90 per image, from the cells' timings.json), and every cell whose status or signature
 *   differs between the two runs (a flip is a bug or a flaky cell, never hidden; `--once` runs it once);
 * - a subset (one image, every snapshotter, ctr and crictl) run twice in the same process: as the action
 *   runs it (one VM for the image, a reset between cells) and naively (a fresh VM for every cell); the
 *   ratio of the two is what sharing one VM per image buys.
 * - the probe configured from a kubespray checkout (`--kubespray-path`, else the fixed-fork fixture) on one
 *   image, twice: the render done by Ansible (a fresh var forces it), then taken from the render cache;
 *   render seconds per image beside the median cell seconds, and how often lint's prediction matched.
 * Usage: tsx bench/probe.ts [--images debian-11,debian-12] [--subset-image debian-12] [--no-matrix] [--once] [--no-subset]
 *        [--kubespray-path DIR] [--checkout-image debian-13]
 */
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { lintAgreement } from '../src/report/lint-agreement.js'
import type { CellResult } from '../src/results/cell-result.js'
import { stepProfile } from './step-profile.js'
import { renderFixture } from '../__tests__/kubespray-fixtures.js'
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
const checkoutImage = flag('checkout-image') ?? 'debian-13'

/** The render of each image of a run, as the probe wrote it beside render.log. */
function renders(m: Measured): Record<string, unknown> {
  const images = [...new Set(m.cells.map(c => c.image))]
  return Object.fromEntries(
    images.map(image => {
      const path = join(m.outputDir, 'logs', image, 'render.json')
      return [image, existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as unknown) : null]
    })
  )
}

/** Every cell whose status or signature is not the same in both runs. */
function flips(first: readonly CellResult[], second: readonly CellResult[]) {
  const verdict = (c: CellResult) =>
    c.status === 'fail' || c.status === 'flaky' ? `${c.status} ${c.signature}` : c.status
  const before = new Map(first.map(c => [c.id, verdict(c)]))
  return second.flatMap(c => {
    const was = before.get(c.id)
    return was === undefined || was === verdict(c) ? [] : [{ cell: c.id, first: was, second: verdict(c) }]
  })
}

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
  const matrixInputs: RawInputs = { tiers: 'probe', ...(images === undefined ? {} : { images }) }
  const matrix = hasFlag('no-matrix') ? undefined : await measure(host, 'matrix', matrixInputs)
  const again =
    matrix === undefined || hasFlag('once') ? undefined : await measure(host, 'matrix-again', matrixInputs)
  // --no-subset: only the checkout section (the sharing figures change with the VM code, not a checkout).
  const subsetToo = !hasFlag('no-subset')
  const shared = subsetToo ? await measure(host, 'subset-shared', subset) : undefined
  const naive = subsetToo ? await measure(host, 'subset-naive', subset, true) : undefined
  const kubespray = flag('kubespray-path') ?? renderFixture('fixed-fork', host.workDir)
  const vars = join(host.workDir, 'bench-vars.yml')
  // A value no cached render has: the first run renders with Ansible, the second takes the cache.
  writeFileSync(vars, `zjm_bench_run: ${randomBytes(6).toString('hex')}\n`)
  const fromCheckout: RawInputs = {
    images: checkoutImage,
    tools: 'ctr, crictl',
    tiers: 'lint, probe',
    'kubespray-path': kubespray,
    'kubespray-vars': vars,
    ansible: 'system'
  }
  const rendered = await measure(host, 'checkout-rendered', fromCheckout)
  const cached = await measure(host, 'checkout-cached', fromCheckout)
  return {
    benchmark: 'probe',
    date: new Date().toISOString(),
    ...machine(),
    whole_matrix:
      matrix === undefined
        ? null
        : {
            ...summary(matrix),
            step_profile: stepProfile(matrix.cells, matrix.outputDir),
            second_run:
              again === undefined
                ? null
                : {
                    ...summary(again),
                    flips: flips(matrix.cells, again.cells),
                    step_profile: stepProfile(again.cells, again.outputDir)
                  },
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
    probe_from_checkout: {
      checkout: flag('kubespray-path') ?? 'the fixed-fork fixture (__tests__/fixtures/kubespray-render)',
      cells: `${checkoutImage} × overlayfs, zfs, native × ctr, crictl × kubespray, fixed`,
      rendered_by_ansible: { ...summary(rendered), render: renders(rendered) },
      render_from_cache: { ...summary(cached), render: renders(cached) },
      lint_vs_probe: (({ checked, agreeing, disagreements }) => ({ checked, agreeing, disagreements }))(
        lintAgreement(rendered.cells)
      )
    },
    one_vm_per_image_vs_fresh_vm_per_cell:
      shared === undefined || naive === undefined
        ? null
        : {
            cells: `${subsetImage} × overlayfs, zfs, native × ctr, crictl (kubespray variant)`,
            shared: summary(shared),
            naive: summary(naive),
            ratio_naive_over_shared: Math.round((naive.seconds / shared.seconds) * 100) / 100
          }
  }
})
writeResult('probe', report)
