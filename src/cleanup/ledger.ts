import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { Log } from '../log/log.js'

/**
 * Everything a run creates outside its output directory is written down here before it is created, and
 * crossed out once removed. If the run dies before its own cleanup (SIGKILL, a crashed runner step), the
 * action's post step — or the next CLI run — sweeps what is left.
 */
/** The action's state key under which main tells the post step where its ledger is. */
export const LEDGER_STATE = 'cleanup-ledger'

export type Resource = { readonly kind: 'dir'; readonly path: string }

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

export function release(resource: Resource): void {
  switch (resource.kind) {
    case 'dir':
      rmSync(resource.path, { recursive: true, force: true })
      return
    default: {
      const never: never = resource.kind
      throw new Error(`unknown resource ${String(never)}`)
    }
  }
}

export function describe(resource: Resource): string {
  return `${resource.kind} ${resource.path}`
}

function same(a: Resource, b: Resource): boolean {
  return a.kind === b.kind && a.path === b.path
}
