import { availableParallelism, freemem } from 'node:os'
import type { Tier } from '../plan/axes.js'

export interface HostCapacity {
  readonly cpus: number
  /** Memory the host can give new processes now, in MiB. */
  readonly availableMb: number
}

export interface Concurrency {
  readonly images: number
  readonly reason: string
}

/** What qemu needs beyond the guest's RAM, and what the host keeps for itself, in MiB. */
const QEMU_OVERHEAD_MB = 512
const HOST_RESERVE_MB = 1024

/**
 * How many images run at once: one VM each, so as many as memory holds, but no more than the host has
 * CPUs (a TCG guest keeps a core busy; past that, VMs only slow each other down). Tiers without VMs
 * gain nothing from it and keep one image at a time, with their log groups.
 */
export function imageConcurrency(
  images: number,
  tiers: readonly Tier[],
  vmMemoryMb: number,
  capacity: HostCapacity = hostCapacity()
): Concurrency {
  if (!tiers.some(t => t !== 'lint')) return { images: 1, reason: 'no tier boots a VM' }
  // The join tiers keep a control plane up next to each cell's worker.
  const perImage = tiers.some(t => t === 'join' || t === 'rejoin') ? 2 : 1
  const vms = Math.floor((capacity.availableMb - HOST_RESERVE_MB) / (vmMemoryMb + QEMU_OVERHEAD_MB))
  const byMemory = Math.floor(vms / perImage)
  const count = Math.max(1, Math.min(images, byMemory, Math.floor(capacity.cpus / perImage)))
  return {
    images: count,
    reason: `${images} image(s) of ${perImage} VM(s); memory holds ${Math.max(vms, 0)} VM(s) of ${vmMemoryMb} MiB, ${capacity.cpus} CPU(s)`
  }
}

export function hostCapacity(): HostCapacity {
  return { cpus: availableParallelism(), availableMb: Math.floor(freemem() / 1024 / 1024) }
}
