/** Running the bundled action as the runner does: INPUT_* variables and the file commands' files. */
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const root = resolve(import.meta.dirname, '../..')

/** The runner's environment for one step: INPUT_* plus the file commands' files. */
export function runnerEnv(
  dir: string,
  inputs: Record<string, string>,
  extra: NodeJS.ProcessEnv = {}
): NodeJS.ProcessEnv {
  const files = { GITHUB_OUTPUT: 'output', GITHUB_STATE: 'state', GITHUB_STEP_SUMMARY: 'summary' }
  for (const f of Object.values(files)) writeFileSync(join(dir, f), '')
  return {
    PATH: process.env.PATH,
    GITHUB_WORKSPACE: dir,
    RUNNER_TEMP: join(dir, 'runner-temp'),
    GITHUB_RUN_ID: '42',
    GITHUB_ACTION: 'zjm',
    ...Object.fromEntries(Object.entries(files).map(([k, f]) => [k, join(dir, f)])),
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...extra
  }
}

/** Reads `name<<delimiter\nvalue\ndelimiter` records from a GITHUB_OUTPUT-style file. */
export function fileCommands(path: string): Record<string, string> {
  const out: Record<string, string> = {}
  const re = /^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm
  for (const m of readFileSync(path, 'utf8').matchAll(re)) out[m[1]!] = m[3]!
  return out
}

export function action(entry: string, env: NodeJS.ProcessEnv, cwd: string) {
  const r = spawnSync('node', [join(root, entry)], { cwd, encoding: 'utf8', env })
  return { status: r.status, stdout: r.stdout }
}

/**
 * `action` without blocking this process, for tests whose GitHub API double runs in it: spawnSync
 * would stop the double from answering the action it is waiting for.
 */
export function actionAsync(
  entry: string,
  env: NodeJS.ProcessEnv,
  cwd: string
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn('node', [join(root, entry)], { cwd, env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', fail)
    child.on('close', status => done({ status, stdout, stderr }))
  })
}
