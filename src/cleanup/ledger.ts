import { cmd } from '../exec/command.js'
import { runSync } from '../exec/executor.js'
import { asRoot } from '../exec/privilege.js'
import { zpoolCommands } from '../exec/zpool.js'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { Log } from '../log/log.js'
import { errorMessage } from '../text/error-message.js'

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

/**
 * Release order: stop processes before removing the disks they hold, unmount before deleting the
 * directories mounts live in, and within a kind undo the newest first.
 */
const RELEASE_ORDER: readonly Resource['kind'][] = ['process', 'mount', 'zpool', 'file', 'dir']

export function releaseOrder(resources: readonly Resource[]): Resource[] {
  return resources
    .map((r, i) => ({ r, i }))
    .sort((a, b) => RELEASE_ORDER.indexOf(a.r.kind) - RELEASE_ORDER.indexOf(b.r.kind) || b.i - a.i)
    .map(x => x.r)
}

/** Removes every resource still listed; failures are warnings, never errors (this runs during cleanup). */
export function sweep(ledger: CleanupLedger, log: Log): number {
  let removed = 0
  for (const resource of releaseOrder(ledger.read())) {
    try {
      release(resource)
      removed++
      ledger.remove(resource)
    } catch (e) {
      log.warning(`could not remove ${describe(resource)}: ${errorMessage(e)}`)
    }
  }
  return removed
}

/** Synchronous on purpose: it also runs from signal handlers and the post step, where nothing may be left pending. */
export function release(resource: Resource): void {
  switch (resource.kind) {
    case 'file':
      rmSync(resource.path, { force: true })
      return
    case 'dir':
      removeDir(resource.path)
      return
    case 'mount':
      unmount(resource.path)
      return
    case 'process':
      if (processMatches(resource.pid, resource.match)) {
        process.kill(resource.pid, 'SIGKILL')
      }
      return
    case 'zpool': {
      if (runSync(zpoolCommands.exists(resource.name)).status !== 0) return
      const r = runSync(asRoot(zpoolCommands.destroy(resource.name)))
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

/** Mount points from /proc/self/mounts, decoded (the kernel writes space, tab, newline and backslash as octal). */
export function mountPoints(): string[] {
  try {
    return readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map(line => line.split(' ')[1])
      .filter((p): p is string => p !== undefined)
      .map(p => p.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
  } catch {
    return []
  }
}

export function isMounted(path: string): boolean {
  return mountPoints().includes(path)
}

function unmount(path: string): void {
  if (!isMounted(path)) return
  const r = runSync(asRoot(cmd('umount', '-R', '-l', path)))
  if (r.status !== 0 && isMounted(path)) throw new Error(`umount ${path}: ${r.stderr.trim()}`)
}

/**
 * Never deletes through a mount: whatever is still mounted below the directory (a chroot's /dev bind
 * mount after a killed build) is unmounted first, deepest first, and `rm --one-file-system` refuses to
 * cross into anything that could not be.
 */
function removeDir(path: string): void {
  const prefix = path.endsWith('/') ? path : `${path}/`
  const below = mountPoints()
    .filter(m => m.startsWith(prefix))
    .sort((a, b) => b.length - a.length)
  for (const m of below) unmount(m)
  if (!existsSync(path)) return
  const r = runSync(asRoot(cmd('rm', '-rf', '--one-file-system', path)))
  if (r.status !== 0) throw new Error(`rm ${path}: ${r.stderr.trim()}`)
}

function processMatches(pid: number, match: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(match)
  } catch {
    return false
  }
}
