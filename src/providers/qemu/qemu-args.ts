import { cmd, type Command } from '../../exec/command.js'
import type { DiskSpec } from '../../storage/disk-store.js'

export type Accelerator = 'kvm' | 'tcg'

/** One end of a point-to-point link between two VMs of a run: UDP datagrams over 127.0.0.1 only. */
export interface LinkEnd {
  readonly localPort: number
  readonly remotePort: number
  readonly mac: string
  /** This VM's address on the link, CIDR, e.g. `10.77.0.2/24`: it exists only inside the virtual wire. */
  readonly address: string
}

export interface VmSpec {
  /** Also the `-name` qemu shows in its command line, which the cleanup ledger matches on. */
  readonly name: string
  readonly accel: Accelerator
  readonly cpus: number
  readonly memoryMb: number
  readonly kernel: string
  readonly initrd: string
  readonly cmdline: string
  readonly root: DiskSpec
  /** The disk the guest's ZFS pool lives on. */
  readonly pool: DiskSpec
  /** Host port on 127.0.0.1 forwarded to the guest's sshd. */
  readonly sshPort: number
  /** Off by default: guests reach nothing but the host's forwarded port. */
  readonly outbound: boolean
  readonly link?: LinkEnd
  readonly serialLog: string
}

/**
 * The CPU model under TCG: the x86-64 baseline. Every feature qemu emulates beyond it costs: the guest's
 * glibc and OpenZFS pick SSE4/AVX code paths that TCG runs slower than plain SSE2, and OpenZFS times
 * each of its SIMD variants when the module loads. Measured on 2-core TCG, debian-12, six probe cells
 * back to back (qemu 7.2): boot to ssh 16–22 s against 22.5 s with `max`, the median cell 7.5–8.5 s
 * against 9.4–9.6 s; Nehalem (SSE4.2) was no faster than `max`. The guests need nothing above the
 * baseline (Debian's amd64 is x86-64 v1; Go's default GOAMD64 is v1).
 */
export const TCG_CPU = 'qemu64'

/** The qemu command line, each flag beside its value. */
export function qemuCommand(vm: VmSpec): Command {
  const args: string[][] = [
    ['-name', vm.name],
    ['-accel', vm.accel],
    ['-cpu', vm.accel === 'kvm' ? 'host' : TCG_CPU],
    ['-smp', String(vm.cpus)],
    ['-m', String(vm.memoryMb)],
    ['-kernel', vm.kernel],
    ['-initrd', vm.initrd],
    ['-append', vm.cmdline],
    // cache=unsafe: the disks are disposable, and TCG boots spend much of their time in fsync otherwise.
    ['-drive', `file=${vm.root.path},if=virtio,format=${vm.root.format},cache=unsafe`],
    ['-drive', `file=${vm.pool.path},if=virtio,format=${vm.pool.format},cache=unsafe`],
    [
      '-netdev',
      `user,id=user0,restrict=${vm.outbound ? 'off' : 'on'},hostfwd=tcp:127.0.0.1:${vm.sshPort}-:22`
    ],
    ['-device', 'virtio-net-pci,netdev=user0'],
    // sshd's key exchange blocks on entropy early in boot; under TCG that can take minutes without this.
    ['-device', 'virtio-rng-pci'],
    ['-display', 'none'],
    ['-vga', 'none'],
    ['-monitor', 'none'],
    ['-serial', `file:${vm.serialLog}`],
    ['-no-reboot']
  ]
  if (vm.link !== undefined) {
    const l = vm.link
    args.push(
      [
        '-netdev',
        `dgram,id=link0,local.type=inet,local.host=127.0.0.1,local.port=${l.localPort},remote.type=inet,remote.host=127.0.0.1,remote.port=${l.remotePort}`
      ],
      ['-device', `virtio-net-pci,netdev=link0,mac=${l.mac}`]
    )
  }
  return cmd('qemu-system-x86_64', ...args.flat())
}

/**
 * Units masked for each boot (systemd.mask= on the command line, so cached images need no rebuild): they
 * stood between the kernel and sshd, several seconds each under TCG, and do nothing on a VM that is
 * booted once with a blank pool disk and never rebooted (-no-reboot). No pool exists at boot to import
 * or mount (the harness creates it over ssh), so the ZFS import and mount units, and the udev settle
 * the import units wait for, only wait; the module still loads (zfs-load-module), beside the rest of
 * the boot. AppArmor's profiles are the host tools' (containerd loads its own when a container asks for
 * it); e2scrub_reap looks for LVM snapshots; ipvsadm restores IPVS rules nobody saved.
 */
export const BOOT_MASKED_UNITS = [
  'systemd-udev-settle.service',
  'zfs-import-cache.service',
  'zfs-import-scan.service',
  'zfs-mount.service',
  'zfs-share.service',
  'zfs-volume-wait.service',
  'apparmor.service',
  'e2scrub_reap.service',
  'ipvsadm.service'
] as const

/** The kernel command line: root on the first disk, console on serial, the per-VM settings for zjm-boot. */
export function kernelCmdline(settings: {
  sshPublicKey: string
  hostname: string
  address?: string
  dns?: string
}): string {
  const parts = [
    'root=/dev/vda',
    'rw',
    'console=ttyS0',
    'net.ifnames=0',
    'panic=-1',
    ...BOOT_MASKED_UNITS.map(unit => `systemd.mask=${unit}`),
    `zjm.key=${Buffer.from(settings.sshPublicKey.trim()).toString('base64')}`,
    `zjm.hostname=${settings.hostname}`
  ]
  if (settings.address !== undefined) parts.push(`zjm.ip=${settings.address}`)
  if (settings.dns !== undefined) parts.push(`zjm.dns=${settings.dns}`)
  return parts.join(' ')
}
