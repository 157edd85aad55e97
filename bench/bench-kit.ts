/**
 * What the benchmarks share: running the pipeline on a config with a warm image cache, timing each
 * scenario's `open` (the per-image setup: a VM, or a control plane built with cluster.yml) and each
 * cell's `run`, and the naive alternative of a fresh setup for every cell.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, homedir, totalmem } from 'node:os'
import { join } from 'node:path'
import type { HostContext } from '../src/host/context.js'
import { DEFAULT_MIRROR } from '../src/images/recipe.js'
import { parseConfig } from '../src/inputs/parse.js'
import type { RawInputs } from '../src/inputs/spec.js'
import { consoleLog } from '../src/log/log.js'
import { runPipeline } from '../src/pipeline.js'
import { DEFAULT_QEMU_OPTIONS } from '../src/providers/qemu/qemu-provider.js'
import type { CellResult } from '../src/results/cell-result.js'
import { makeScenarios, type ScenarioFactory } from '../src/scenarios/registry.js'
import type { Attempt, Scenario } from '../src/scenarios/scenario.js'

const args = process.argv.slice(2)
export const flag = (name: string): string | undefined =>
  args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined
export const hasFlag = (name: string): boolean => args.includes(`--${name}`)
export const log = consoleLog(process.stderr)
export const cacheDir = process.env.ZJM_IMAGE_CACHE ?? join(homedir(), '.cache', 'zfs-join-matrix', 'images')
const mirror = process.env.ZJM_MIRROR ?? DEFAULT_MIRROR
export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
export const round = (x: number) => Math.round(x * 10) / 10

/** Seconds of each scenario `open` that came back ready, and of each cell's run, per tier. */
export interface Timings {
  readonly opens: { tier: string; image: string; seconds: number }[]
  readonly runs: { tier: string; cell: string; seconds: number }[]
}

export interface Measured {
  /** Where the run wrote its results and logs. */
  readonly outputDir: string
  readonly seconds: number
  readonly timings: Timings
  readonly cells: readonly CellResult[]
}

function timed(factory: ScenarioFactory, timings: Timings): ScenarioFactory {
  return env => {
    const real = factory(env)
    return tier => {
      const scenario = real(tier)
      return {
        tier,
        open: async (image, context) => {
          const started = Date.now()
          const opened = await scenario.open(image, context)
          if (opened.kind !== 'ready') return opened
          timings.opens.push({ tier, image: image.name, seconds: (Date.now() - started) / 1000 })
          const session = opened.session
          return {
            kind: 'ready',
            session: {
              run: async (cell, attempt) => {
                const began = Date.now()
                try {
                  return await session.run(cell, attempt)
                } finally {
                  timings.runs.push({ tier, cell: cell.id, seconds: (Date.now() - began) / 1000 })
                }
              },
              close: () => session.close()
            }
          }
        }
      }
    }
  }
}

/** The naive way: the per-image setup (`open`) made afresh for every cell and closed after it. */
function setupPerCell(factory: ScenarioFactory): ScenarioFactory {
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

/** Runs the pipeline (mode run, never posting) on `inputs` and measures it. */
export async function measure(
  host: HostContext,
  name: string,
  inputs: RawInputs,
  naive = false
): Promise<Measured> {
  const outputDir = join(host.workDir, name)
  const config = parseConfig(
    {
      mode: 'run',
      'image-cache': cacheDir,
      mirror,
      'runner-setup': 'never',
      'fail-on': 'never',
      'output-dir': outputDir,
      ...inputs
    },
    { cwd: process.cwd() }
  )
  const timings: Timings = { opens: [], runs: [] }
  // Timed inside the naive wrapper, so each cell's own setup counts as an open.
  const measured = timed(makeScenarios, timings)
  const started = Date.now()
  log.info(`bench: ${name}${naive ? ' (a fresh setup per cell)' : ''}`)
  await runPipeline(config, {
    host,
    outputs: { set: () => undefined, summary: () => Promise.resolve() },
    scenarios: naive ? setupPerCell(measured) : measured,
    // A benchmark never posts, nor uses GitHub's cache.
    github: null,
    remoteCache: undefined
  })
  const seconds = (Date.now() - started) / 1000
  const cells = (JSON.parse(readFileSync(join(outputDir, 'results.json'), 'utf8')) as { cells: CellResult[] })
    .cells
  return { outputDir, seconds, timings, cells }
}

export function statusCounts(cells: readonly CellResult[]): Record<string, number> {
  const statuses: Record<string, number> = {}
  for (const c of cells) statuses[c.status] = (statuses[c.status] ?? 0) + 1
  return statuses
}

/** The machine and VM size a result was measured with. */
export function machine() {
  return {
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memory_gib: Math.round(totalmem() / 2 ** 30)
    },
    qemu: { cpus: DEFAULT_QEMU_OPTIONS.cpus, memory_mb: DEFAULT_QEMU_OPTIONS.memoryMb },
    warm_image_cache: cacheDir
  }
}

/** Writes a benchmark's result to bench/out/<name>.json and prints it. */
export function writeResult(name: string, report: unknown): void {
  mkdirSync(join(import.meta.dirname, 'out'), { recursive: true })
  writeFileSync(join(import.meta.dirname, 'out', `${name}.json`), `${JSON.stringify(report, null, 2)}\n`)
  console.log(JSON.stringify(report, null, 2))
}
