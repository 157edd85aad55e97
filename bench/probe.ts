/**
 * `npm run bench`: measures the probe tier on this machine and writes bench/out/probe.json.
 * - the whole default probe matrix with a warm image cache: wall seconds, median seconds per cell that
 *   really ran (skipped cells excluded), VM boots, statuses;
 * - a subset (one image, every snapshotter, ctr and crictl) run twice in the same process: as the action
 *   runs it (one VM for the image, a reset between cells) and naively (a fresh VM for every cell); the
 *   ratio of the two is what sharing one VM per image buys.
 * Usage: tsx bench/probe.ts [--images debian-11,debian-12] [--subset-image debian-12] [--no-matrix]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, homedir, totalmem } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_MIRROR } from '../src/images/recipe.js'
import type { RawInputs } from '../src/inputs/spec.js'
import { parseConfig } from '../src/inputs/parse.js'
import { consoleLog } from '../src/log/log.js'
import { runPipeline } from '../src/pipeline.js'
import type { HostContext } from '../src/host/context.js'
import { DEFAULT_QEMU_OPTIONS } from '../src/providers/qemu/qemu-provider.js'
import type { CellResult } from '../src/results/cell-result.js'
import { makeScenarios, type ScenarioFactory } from '../src/scenarios/registry.js'
import type { Attempt, Scenario } from '../src/scenarios/scenario.js'
import { withScriptHost } from '../scripts/script-host.js'

const args = process.argv.slice(2)
const value = (name: string): string | undefined =>
  args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined
const log = consoleLog(process.stderr)
const cacheDir = process.env.ZJM_IMAGE_CACHE ?? join(homedir(), '.cache', 'zfs-join-matrix', 'images')
const mirror = process.env.ZJM_MIRROR ?? DEFAULT_MIRROR
const subsetImage = value('subset-image') ?? 'debian-12'
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
const round = (x: number) => Math.round(x * 10) / 10

interface Measured {
  readonly seconds: number
  readonly boots: number
  readonly cells: readonly CellResult[]
}

/** Counts VM boots: every probe session that opens ready is one VM. */
function counting(factory: ScenarioFactory, count: () => void): ScenarioFactory {
  return env => {
    const real = factory(env)
    return tier => {
      const scenario = real(tier)
      return {
        tier,
        open: async (image, context) => {
          const opened = await scenario.open(image, context)
          if (opened.kind === 'ready' && tier === 'probe') count()
          return opened
        }
      }
    }
  }
}

/** The naive way: a fresh VM for every cell, destroyed after it. */
function bootPerCell(factory: ScenarioFactory): ScenarioFactory {
  return env => {
    const real = factory(env)
    return (tier): Scenario => {
      const scenario = real(tier)
      return {
        tier,
        open: (image, context) =>
          Promise.resolve({
            kind: 'ready',
            session: {
              run: async (cell, attempt): Promise<Attempt> => {
                const opened = await scenario.open(image, context)
                if (opened.kind !== 'ready') {
                  return { verdict: { kind: 'skipped', reason: opened.reason }, versions: {}, logs: [] }
                }
                try {
                  return await opened.session.run(cell, attempt)
                } finally {
                  await opened.session.close()
                }
              },
              close: () => Promise.resolve()
            }
          })
      }
    }
  }
}

async function measure(
  host: HostContext,
  name: string,
  inputs: RawInputs,
  naive: boolean
): Promise<Measured> {
  const outputDir = join(host.workDir, name)
  const config = parseConfig(
    {
      mode: 'run',
      tiers: 'probe',
      'image-cache': cacheDir,
      mirror,
      'runner-setup': 'never',
      'fail-on': 'never',
      'output-dir': outputDir,
      ...inputs
    },
    { cwd: process.cwd() }
  )
  let boots = 0
  // Counted inside the naive wrapper, so each cell's own VM counts.
  const counted = counting(makeScenarios, () => boots++)
  const started = Date.now()
  log.info(`bench: ${name}${naive ? ' (a fresh VM per cell)' : ''}`)
  await runPipeline(config, {
    host,
    outputs: { set: () => undefined, summary: () => Promise.resolve() },
    scenarios: naive ? bootPerCell(counted) : counted,
    // A benchmark never posts.
    github: null
  })
  const seconds = (Date.now() - started) / 1000
  const cells = (JSON.parse(readFileSync(join(outputDir, 'results.json'), 'utf8')) as { cells: CellResult[] })
    .cells
  return { seconds, boots, cells }
}

function summary(m: Measured) {
  const ran = m.cells.filter(c => c.status !== 'skipped')
  const statuses: Record<string, number> = {}
  for (const c of m.cells) statuses[c.status] = (statuses[c.status] ?? 0) + 1
  return {
    wall_seconds: round(m.seconds),
    cells: m.cells.length,
    cells_run: ran.length,
    median_seconds_per_cell: round(median(ran.map(c => c.durationSeconds))),
    vm_boots: m.boots,
    statuses
  }
}

const report = await withScriptHost(log, async host => {
  const subset: RawInputs = { images: subsetImage, tools: 'ctr, crictl', variants: 'kubespray' }
  const matrix = args.includes('--no-matrix')
    ? undefined
    : await measure(host, 'matrix', value('images') === undefined ? {} : { images: value('images')! }, false)
  const shared = await measure(host, 'subset-shared', subset, false)
  const naive = await measure(host, 'subset-naive', subset, true)
  return {
    benchmark: 'probe',
    date: new Date().toISOString(),
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memory_gib: Math.round(totalmem() / 2 ** 30)
    },
    qemu: { cpus: DEFAULT_QEMU_OPTIONS.cpus, memory_mb: DEFAULT_QEMU_OPTIONS.memoryMb },
    warm_image_cache: cacheDir,
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
      ratio_naive_over_shared: round((naive.seconds / shared.seconds) * 100) / 100
    }
  }
})
mkdirSync(join(import.meta.dirname, 'out'), { recursive: true })
writeFileSync(join(import.meta.dirname, 'out', 'probe.json'), `${JSON.stringify(report, null, 2)}\n`)
console.log(JSON.stringify(report, null, 2))
