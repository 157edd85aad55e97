import { availableParallelism, freemem } from 'node:os'
import type { Tier } from '../plan/axes.js'

export interface HostCapacity {
  readonly cpus: number
  /** Memory the host can give new processes now, in MiB. */
  readonly availableMb: number
}

export interface Concurrency {
  readonly images: number
  /** vCPUs of each node. */
  readonly nodeCpus: number
  readonly reason: string
}

/** What qemu needs beyond the guest's RAM, and what the host keeps for itself, in MiB. */
const QEMU_OVERHEAD_MB = 512
const HOST_RESERVE_MB = 1024
/**
 * A node's vCPUs at most, and for the join tiers always: kubeadm's preflight wants 2 on the control plane.
 */
const NODE_CPUS = 2

/**
 * How many images run at once: one VM each, so as many as memory holds, but no more than the host has
 * CPUs (a TCG guest keeps a core busy; past that, VMs only slow each other down). Tiers without VMs
 * gain nothing from it and keep one image at a time, with their log groups.
 * The probe's nodes share the host's cores instead of each claiming two: measured on 2 cores under TCG,
 * the default probe matrix (4 images) took 354 s with two 1-vCPU VMs at once, 463 s with one 2-vCPU VM
 * at a time and 520 s with two 2-vCPU VMs (guests whose vCPUs outnumber the cores spin on locks held by
 * a vCPU that is not running).
 */
export function imageConcurrency(
  images: number,
  tiers: readonly Tier[],
  vmMemoryMb: number,
  capacity: HostCapacity = hostCapacity()
): Concurrency {
  if (!tiers.some(t => t !== 'lint')) return { images: 1, nodeCpus: NODE_CPUS, reason: 'no tier boots a VM' }
  // The join tiers keep a control plane up next to each cell's worker.
  const joins = tiers.some(t => t === 'join' || t === 'rejoin')
  const perImage = joins ? 2 : 1
  const vms = Math.floor((capacity.availableMb - HOST_RESERVE_MB) / (vmMemoryMb + QEMU_OVERHEAD_MB))
  const byMemory = Math.floor(vms / perImage)
  const count = Math.max(1, Math.min(images, byMemory, Math.floor(capacity.cpus / perImage)))
  const nodeCpus = joins ? NODE_CPUS : Math.max(1, Math.min(NODE_CPUS, Math.floor(capacity.cpus / count)))
  return {
    images: count,
    nodeCpus,
    reason: `${images} image(s) of ${perImage} VM(s); memory holds ${Math.max(vms, 0)} VM(s) of ${vmMemoryMb} MiB, ${capacity.cpus} CPU(s); ${nodeCpus} vCPU(s) a VM`
  }
}

export function hostCapacity(): HostCapacity {
  return { cpus: availableParallelism(), availableMb: Math.floor(freemem() / 1024 / 1024) }
}
