import type { Command } from '../exec/command.js'
import type { CommandResult, Executor, RunOptions } from '../exec/executor.js'
import type { ImageSpec } from '../images/catalogue.js'
import type { SshAccess } from '../kubespray/inventory.js'
import type { NodeVersions } from '../results/cell-result.js'

/**
 * The seam for machines the scenarios run on: qemu VMs here and on runners; nspawn or ssh hosts later.
 * Scenarios depend on this interface only; one implementation per variant, picked in one place.
 */
export interface Provider {
  readonly name: string
  /** Null when this provider can boot nodes here; otherwise why not (its cells become skipped). */
  unavailableReason(): Promise<string | null>
  boot(image: ImageSpec, options: BootOptions): Promise<Node>
  /** A private network for two nodes of the run: pass one end to each node's boot. */
  createLink(): Promise<readonly [PrivateLinkEnd, PrivateLinkEnd]>
  /** Releases what nodes shared (host pool, disks); nodes not yet destroyed are destroyed first. */
  close(): Promise<void>
}

export interface BootOptions {
  /** Unique within the run; becomes the guest's hostname. */
  readonly name: string
  /** Where the serial console and other node logs go. */
  readonly logDir: string
  /** Join a private link shared with another node of the run (the join tier's two nodes). */
  readonly link?: PrivateLinkEnd
}

/** One side of a private network between two nodes; see `Provider` implementations for how it is wired. */
export interface PrivateLinkEnd {
  readonly id: string
  /** This node's address on the link (CIDR), and the peer's (plain). */
  readonly address: string
  readonly peerAddress: string
}

export interface Forward {
  readonly closed: Promise<void>
}

/** A running node whose /var/lib/containerd is on an in-guest ZFS pool. */
export interface Node {
  readonly name: string
  /** The address other nodes of the run reach it at, when it has a private link. */
  readonly privateAddress?: string
  /** How tools outside the action (Ansible) log in to it. */
  readonly access: SshAccess
  /** Runs a command as root on the node. Like the local executor, a non-zero exit is a result, not a throw. */
  exec(command: Command, options?: RunOptions): Promise<CommandResult>
  copyIn(localPath: string, remotePath: string): Promise<void>
  copyOut(remotePath: string, localPath: string): Promise<void>
  kernelLog(): Promise<string>
  /**
   * Makes `localPath` on the host a unix socket that reaches `remotePath` on the node (the CRI client
   * talks to containerd through it). Resolves once the socket exists; the forward ends when `signal`
   * aborts, and `closed` resolves then.
   */
  forwardUnixSocket(remotePath: string, localPath: string, signal: AbortSignal): Promise<Forward>
  facts(): Promise<NodeVersions>
  /** Null while the node answers; else why it no longer can (its VM stopped, ended or went silent). */
  health(): Promise<string | null>
  /** Rolls containerd's datasets back to their clean snapshot. */
  reset(): Promise<void>
  destroy(): Promise<void>
}

/** The node as an Executor, for code written against the host's (`check`, stores, scripts). */
export function nodeExecutor(node: Pick<Node, 'exec'>): Executor {
  return { run: (command, options) => node.exec(command, options) }
}
