import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { Log } from '../log/log.js'

/**
 * Everything a run creates outside its output directory is written down here before it is created, and
 * crossed out once removed. If the run dies before its own cleanup (SIGKILL, a crashed runner step), the
 * action's post step — or the next CLI run — sweeps what is left.
 */
/** The action's state key under which main tells the post step where its ledger is. */
export const LEDGER_STATE = 'cleanup-ledger'

export type Resource =
  | { readonly kind: 'dir'; readonly path: string }
  | { readonly kind: 'file'; readonly path: string }
  /** A mount point; released lazily and recursively, so a busy chroot cannot block cleanup. */
  | { readonly kind: 'mount'; readonly path: string }
  /** A process we started (qemu); `match` must occur in its command line, so a reused pid is never killed. */
  | { readonly kind: 'process'; readonly pid: number; readonly match: string }
  /** A host ZFS pool (runners): destroyed with everything on it. */
  | { readonly kind: 'zpool'; readonly name: string }

export class CleanupLedger {
  constructor(readonly path: string) {}

  add(resource: Resource): void {
    this.write([...this.read().filter(r => !same(r, resource)), resource])
  }

  remove(resource: Resource): void {
    const left = this.read().filter(r => !same(r, resource))
    if (left.length === 0) rmSync(this.path, { force: true })
    else this.write(left)
  }

  read(): Resource[] {
    if (!existsSync(this.path)) return []
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as Resource[]
    } catch {
      return []
    }
  }

  private write(resources: readonly Resource[]): void {
    writeFileSync(this.path, JSON.stringify(resources))
  }
}

/** Removes every resource still listed; failures are warnings, never errors (this runs during cleanup). */
export function sweep(ledger: CleanupLedger, log: Log): number {
  let removed = 0
  for (const resource of ledger.read()) {
    try {
      release(resource)
      removed++
      ledger.remove(resource)
    } catch (e) {
      log.warning(`could not remove ${describe(resource)}: ${(e as Error).message}`)
    }
  }
  return removed
}

/** Synchronous on purpose: it also runs from signal handlers and the post step, where nothing may be left pending. */
export function release(resource: Resource): void {
  switch (resource.kind) {
    case 'dir':
    case 'file':
      rmSync(resource.path, { recursive: true, force: true })
      return
    case 'mount':
      if (isMounted(resource.path)) {
        const r = spawnSync('umount', ['-R', '-l', resource.path], { encoding: 'utf8' })
        if (r.status !== 0 && isMounted(resource.path))
          throw new Error(`umount ${resource.path}: ${r.stderr.trim()}`)
      }
      return
    case 'process':
      if (processMatches(resource.pid, resource.match)) {
        process.kill(resource.pid, 'SIGKILL')
      }
      return
    case 'zpool': {
      const listed = spawnSync('zpool', ['list', '-H', '-o', 'name', resource.name], { encoding: 'utf8' })
      if (listed.status !== 0) return
      const r = spawnSync('zpool', ['destroy', '-f', resource.name], { encoding: 'utf8' })
      if (r.status !== 0) throw new Error(`zpool destroy ${resource.name}: ${r.stderr.trim()}`)
      return
    }
    default: {
      const never: never = resource
      throw new Error(`unknown resource ${JSON.stringify(never)}`)
    }
  }
}

export function describe(resource: Resource): string {
  switch (resource.kind) {
    case 'process':
      return `process ${resource.pid} (${resource.match})`
    case 'zpool':
      return `zpool ${resource.name}`
    case 'dir':
    case 'file':
    case 'mount':
      return `${resource.kind} ${resource.path}`
  }
}

function same(a: Resource, b: Resource): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

export function isMounted(path: string): boolean {
  try {
    return readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .some(line => line.split(' ')[1] === path.replace(/ /g, '\\040'))
  } catch {
    return false
  }
}

function processMatches(pid: number, match: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(match)
  } catch {
    return false
  }
}
