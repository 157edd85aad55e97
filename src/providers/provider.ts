import type { ImageSpec } from '../images/catalogue.js'
import type { NodeVersions } from '../results/cell-result.js'

/**
 * The seam for machines the scenarios run on: qemu VMs, nspawn containers, existing ssh hosts.
 * Scenarios depend on this interface only; one implementation per variant, picked in one place.
 */
export interface Provider {
  readonly name: string
  /** Null when this provider can boot nodes here; otherwise why not (its cells become skipped). */
  unavailableReason(): Promise<string | null>
  boot(image: ImageSpec, options: BootOptions): Promise<Node>
}

export interface BootOptions {
  /** Where the serial console and other node logs go. */
  readonly logDir: string
  readonly signal: AbortSignal
}

export interface ExecResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/** A running node whose /var/lib/containerd is on an in-guest ZFS pool. */
export interface Node {
  readonly name: string
  exec(
    program: string,
    args: readonly string[],
    options?: { timeoutMs?: number; input?: string }
  ): Promise<ExecResult>
  copyIn(localPath: string, remotePath: string): Promise<void>
  copyOut(remotePath: string, localPath: string): Promise<void>
  kernelLog(): Promise<string>
  facts(): Promise<NodeVersions>
  /** Rolls containerd's datasets back to their clean snapshot. */
  reset(): Promise<void>
  destroy(): Promise<void>
}
