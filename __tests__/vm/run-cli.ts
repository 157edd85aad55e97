import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { expect } from '@jest/globals'
import type { CellResult } from '../../src/results/cell-result.js'
import { tempDir } from '../helpers.js'
import { IMAGE_CACHE, MIRROR } from './vm-env.js'

const root = resolve(import.meta.dirname, '../..')

export interface CliRun {
  /** The run's output dir: results.json, report.md, logs/. */
  readonly out: string
  /** The run's TMPDIR: its work dir lived there, so it must end empty. */
  readonly tmp: string
  readonly stderr: string
}

/**
 * `zfs-join-matrix run` through the bundled CLI with the shared image cache, no runner setup and a gate
 * that never fails, in a fresh directory with a TMPDIR of its own; the run itself must succeed.
 */
export function runCli(flags: readonly string[]): CliRun {
  const dir = tempDir()
  const tmp = join(dir, 'tmp')
  mkdirSync(tmp)
  const out = join(dir, 'out')
  const r = spawnSync('node', cliRunArgs(flags, out), {
    cwd: dir,
    encoding: 'utf8',
    timeout: 40 * 60_000,
    env: { ...process.env, TMPDIR: tmp }
  })
  // The run's last lines are the failure's message: a bare status would hide why.
  if (r.status !== 0) {
    throw new Error(`the CLI exited ${r.status}:\n${r.stderr.split('\n').slice(-40).join('\n')}`)
  }
  return { out, tmp, stderr: r.stderr }
}

/** The bundled CLI's `run` with `flags`, the shared image cache, no runner setup, a gate that never fails. */
export function cliRunArgs(flags: readonly string[], out: string): string[] {
  return [
    join(root, 'dist/cli/index.js'),
    'run',
    ...flags,
    ...['--image-cache', IMAGE_CACHE, '--mirror', MIRROR, '--runner-setup', 'never'],
    ...['--fail-on', 'never', '--fail-on-empty', 'false', '--output-dir', out]
  ]
}

export function readCells(out: string): CellResult[] {
  return (JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { cells: CellResult[] }).cells
}

/** No qemu or ssh of the run is left, and no temp file. */
export function expectNothingLeft(tmp: string): void {
  expect(spawnSync('pgrep', ['-f', tmp]).status).toBe(1)
  expect(readdirSync(tmp)).toEqual([])
}
