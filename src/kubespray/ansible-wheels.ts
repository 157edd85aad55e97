import { createHash } from 'node:crypto'
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { cmd } from '../exec/command.js'
import { describeFailure, type Executor } from '../exec/executor.js'
import type { RemoteCache } from '../host/remote-cache.js'

/**
 * Where the wheels of kubespray's requirements are kept between runs: a directory per key under `dir`
 * (inside the image cache, so its path is the same on every run, as GitHub's cache needs), and
 * GitHub's cache on runners.
 */
export interface WheelCache {
  readonly dir: string
  readonly remote?: RemoteCache
}

/** How a wheelhouse was had, for the log. */
export type WheelSource = 'cached' | 'restored' | 'downloaded'

export type Wheelhouse =
  | { readonly kind: 'ready'; readonly dir: string; readonly source: WheelSource }
  | { readonly kind: 'unavailable'; readonly reason: string }

/** pip resolves and downloads kubespray's pinned ansible (about 100 MB): generous, but bounded. */
const PIP_TIMEOUT_MS = 20 * 60_000

/**
 * The wheels of `requirements` for the virtualenv's Python: from the local cache, else GitHub's, else
 * downloaded by pip (the only step that needs PyPI) and saved to both. The venv is then installed
 * from them with `--no-index`, so a run with a cached wheelhouse installs Ansible without the network.
 */
export async function provideWheelhouse(options: {
  readonly cache: WheelCache
  readonly requirements: string
  readonly venvDir: string
  readonly exec: Executor
  readonly signal: AbortSignal
}): Promise<Wheelhouse> {
  const { cache, exec, signal } = options
  const python = await exec.run(cmd(join(options.venvDir, 'bin', 'python'), '-c', PLATFORM_PY), {
    signal,
    timeoutMs: 60_000
  })
  if (python.exitCode !== 0) {
    return { kind: 'unavailable', reason: `the virtualenv's Python did not run: ${describeFailure(python)}` }
  }
  const key = wheelhouseKey(readFileSync(options.requirements, 'utf8'), python.stdout.trim(), osRelease())
  const dir = join(cache.dir, key)
  if (existsSync(dir)) return { kind: 'ready', dir, source: 'cached' }
  if ((await cache.remote?.restore(dir, key)) === true && existsSync(dir)) {
    return { kind: 'ready', dir, source: 'restored' }
  }
  // Downloaded beside the final directory and renamed when complete: an interrupted download is
  // never taken for a wheelhouse.
  const partial = `${dir}.partial-${process.pid}`
  rmSync(partial, { recursive: true, force: true })
  const r = await exec.run(
    cmd(
      join(options.venvDir, 'bin', 'pip'),
      'wheel',
      '--disable-pip-version-check',
      '--no-input',
      '--wheel-dir',
      partial,
      '-r',
      options.requirements
    ),
    { signal, timeoutMs: PIP_TIMEOUT_MS }
  )
  if (r.exitCode !== 0) {
    rmSync(partial, { recursive: true, force: true })
    return {
      kind: 'unavailable',
      reason: `could not download the wheels of ${options.requirements} (is PyPI reachable?): ${describeFailure(r)}`
    }
  }
  renameSync(partial, dir)
  await cache.remote?.save(dir, key)
  return { kind: 'ready', dir, source: 'downloaded' }
}

/** The interpreter's ABI and platform: wheels are only valid for the Python that chose them. */
const PLATFORM_PY = 'import sys, sysconfig; print(sys.implementation.cache_tag, sysconfig.get_platform())'

/**
 * A wheelhouse's key: the requirements as written, the Python (ABI and platform) and the OS release
 * (a manylinux wheel pip picked on a newer glibc may not run on an older one).
 */
export function wheelhouseKey(requirements: string, python: string, os: string): string {
  const hash = createHash('sha256').update(JSON.stringify({ requirements, python, os })).digest('hex')
  return `zfs-join-matrix-ansible-${hash.slice(0, 16)}`
}

function osRelease(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8')
    const field = (name: string) => new RegExp(`^${name}="?([^"\\n]*)"?$`, 'm').exec(text)?.[1] ?? ''
    return `${field('ID')}-${field('VERSION_ID')}`
  } catch {
    return 'unknown'
  }
}
