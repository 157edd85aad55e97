/**
 * `npm run bench:join`: measures the lint, join and rejoin tiers on this machine and writes
 * bench/out/join.json.
 * - lint: the whole default matrix (72 cells) over a kubespray checkout, no VM;
 * - join: one image, zfs, ctr, both variants, run twice: as the action runs it (one control plane per
 *   image, built with cluster.yml, and a fresh worker per cell) and naively (a control plane per cell);
 *   the control plane's build, each cell's run, and the ratio of the two;
 * - rejoin: one cell through the join tier, then the rejoin tier (scale, scale again, reset.yml, scale)
 *   on the same control plane: the rejoin's open shows what keeping the plane saves.
 * Without kubespray's downloads the join runs the kubespray-shaped fixture of the tests (offline vars
 * pointing at the registry it serves on each node), which installs no kubelet: the cells end as errors,
 * and the timings are those of real Ansible on real VMs up to the Kubernetes checks.
 * Usage: tsx bench/join.ts [--kubespray-path <checkout>] [--lint-path <checkout>] [--image debian-12] [--no-naive]
 */
import { resolve } from 'node:path'
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

const FIXTURE = resolve(import.meta.dirname, '../__tests__/fixtures/kubespray-join')
const kubespray = resolve(flag('kubespray-path') ?? FIXTURE)
const lintPath = resolve(flag('lint-path') ?? kubespray)
const image = flag('image') ?? 'debian-12'

/** kubespray's offline variables, pointed at the registry the fixture serves on each node's loopback. */
const OFFLINE_VARS = resolve(import.meta.dirname, '../__tests__/fixtures/kubespray-join-offline.yml')

/** Each tier's opens (a control plane built, or taken from the tier before) and each cell's run. */
function joinSummary(m: Measured, tiers: readonly string[]) {
  const runs = m.timings.runs.filter(r => tiers.includes(r.tier))
  return {
    wall_seconds: round(m.seconds),
    open_seconds: Object.fromEntries(
      tiers.map(t => [t, m.timings.opens.filter(o => o.tier === t).map(o => round(o.seconds))])
    ),
    seconds_per_cell: Object.fromEntries(runs.map(r => [`${r.tier} ${r.cell}`, round(r.seconds)])),
    median_seconds_per_cell: round(median(runs.map(r => r.seconds))),
    statuses: statusCounts(m.cells)
  }
}

const report = await withScriptHost(log, async host => {
  const joinInputs = {
    images: image,
    snapshotters: 'zfs',
    tools: 'ctr',
    'kubespray-path': kubespray,
    'kubespray-vars': OFFLINE_VARS,
    ansible: 'system'
  }
  const lint = await measure(host, 'lint', { tiers: 'lint', 'kubespray-path': lintPath })
  const shared = await measure(host, 'join-shared', { ...joinInputs, tiers: 'join' })
  const naive = hasFlag('no-naive')
    ? undefined
    : await measure(host, 'join-naive', { ...joinInputs, tiers: 'join' }, true)
  const rejoin = await measure(host, 'rejoin', { ...joinInputs, variants: 'fixed', tiers: 'join, rejoin' })
  return {
    benchmark: 'join',
    date: new Date().toISOString(),
    ...machine(),
    kubespray,
    lint: {
      checkout: lintPath,
      wall_seconds: round(lint.seconds),
      cells: lint.cells.length,
      statuses: statusCounts(lint.cells)
    },
    join: {
      cells: `${image} × zfs × ctr × kubespray, fixed`,
      shared: joinSummary(shared, ['join']),
      naive: naive === undefined ? null : joinSummary(naive, ['join']),
      ratio_naive_over_shared:
        naive === undefined ? null : Math.round((naive.seconds / shared.seconds) * 100) / 100
    },
    rejoin: { cells: `${image} × zfs × ctr × fixed`, ...joinSummary(rejoin, ['join', 'rejoin']) }
  }
})
writeResult('join', report)
