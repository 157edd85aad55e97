import { spawnSync } from 'node:child_process'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_MIRROR } from '../../src/images/recipe.js'
import type { Log } from '../../src/log/log.js'

/**
 * Real-VM tests run when ZJM_VM_TESTS=1 (CI sets it, so a missing tool fails there instead of skipping),
 * are skipped when it is 0, and otherwise run if qemu and debootstrap are installed.
 */
export function vmTestsEnabled(): boolean {
  const flag = process.env.ZJM_VM_TESTS
  if (flag === '1') return true
  if (flag === '0') return false
  const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0
  const enabled = has('qemu-system-x86_64') && has('debootstrap')
  if (!enabled)
    console.warn(
      'real-VM tests skipped: qemu-system-x86_64 or debootstrap is not installed (set ZJM_VM_TESTS=1 to require them)'
    )
  return enabled
}

/** Shared across test files and CI runs on one machine, so each image is built once. */
export const IMAGE_CACHE =
  process.env.ZJM_IMAGE_CACHE ?? join(homedir(), '.cache', 'zfs-join-matrix', 'images')
export const MIRROR = process.env.ZJM_MIRROR ?? DEFAULT_MIRROR

/** A Log that keeps its lines for the test to print at the end (a VM test's progress is long). */
export function collectingLog(lines: string[]): Log {
  return {
    info: m => void lines.push(m),
    warning: m => void lines.push(`warning: ${m}`),
    error: m => void lines.push(`error: ${m}`),
    group: (_t, body) => body()
  }
}
