import { describe, expect, it } from '@jest/globals'
import {
  BOOT_MASKED_UNITS,
  kernelCmdline,
  qemuCommand,
  type VmSpec
} from '../../src/providers/qemu/qemu-args.js'

const vm: VmSpec = {
  name: 'zjm-r1-debian-12-cp',
  accel: 'kvm',
  cpus: 2,
  memoryMb: 2048,
  kernel: '/cache/img/vmlinuz',
  initrd: '/cache/img/initrd.img',
  cmdline: 'root=/dev/vda rw',
  root: { path: '/dev/zvol/zjm-r1/cp', format: 'raw' },
  pool: { path: '/work/disks/cp-pool.qcow2', format: 'qcow2' },
  sshPort: 40222,
  outbound: false,
  serialLog: '/work/logs/cp-serial.log'
}

/** The value following `flag` at every place the flag occurs. */
function valuesOf(args: readonly string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []))
}

describe('qemuCommand', () => {
  it('builds the exact argv for an isolated KVM guest', () => {
    const c = qemuCommand(vm)
    expect(c.program).toBe('qemu-system-x86_64')
    expect(c.args).toEqual([
      '-name',
      'zjm-r1-debian-12-cp',
      '-accel',
      'kvm',
      '-cpu',
      'host',
      '-smp',
      '2',
      '-m',
      '2048',
      '-kernel',
      '/cache/img/vmlinuz',
      '-initrd',
      '/cache/img/initrd.img',
      '-append',
      'root=/dev/vda rw',
      '-drive',
      'file=/dev/zvol/zjm-r1/cp,if=virtio,format=raw,cache=unsafe',
      '-drive',
      'file=/work/disks/cp-pool.qcow2,if=virtio,format=qcow2,cache=unsafe',
      '-netdev',
      'user,id=user0,restrict=on,hostfwd=tcp:127.0.0.1:40222-:22',
      '-device',
      'virtio-net-pci,netdev=user0',
      '-device',
      'virtio-rng-pci',
      '-display',
      'none',
      '-vga',
      'none',
      '-monitor',
      'none',
      '-serial',
      'file:/work/logs/cp-serial.log',
      '-no-reboot'
    ])
    expect(c.input).toBeUndefined()
    expect(c.env).toBeUndefined()
  })

  it('uses the baseline CPU model under TCG and the host CPU under KVM', () => {
    const args = qemuCommand({ ...vm, accel: 'tcg' }).args
    expect(valuesOf(args, '-accel')).toEqual(['tcg'])
    expect(valuesOf(args, '-cpu')).toEqual(['qemu64'])
    expect(valuesOf(qemuCommand({ ...vm, accel: 'kvm' }).args, '-cpu')).toEqual(['host'])
  })

  it('lifts the user-net restriction only when outbound is on, and forwards ssh only on 127.0.0.1', () => {
    expect(valuesOf(qemuCommand({ ...vm, outbound: true }).args, '-netdev')).toEqual([
      'user,id=user0,restrict=off,hostfwd=tcp:127.0.0.1:40222-:22'
    ])
    for (const outbound of [true, false]) {
      const netdevs = valuesOf(qemuCommand({ ...vm, outbound }).args, '-netdev').join(' ')
      expect(netdevs.match(/hostfwd=[^,]*/g)).toEqual(['hostfwd=tcp:127.0.0.1:40222-:22'])
    }
  })

  it('follows the disk formats it is given', () => {
    const args = qemuCommand({
      ...vm,
      root: { path: '/w/root.qcow2', format: 'qcow2' },
      pool: { path: '/w/pool.img', format: 'raw' }
    }).args
    expect(valuesOf(args, '-drive')).toEqual([
      'file=/w/root.qcow2,if=virtio,format=qcow2,cache=unsafe',
      'file=/w/pool.img,if=virtio,format=raw,cache=unsafe'
    ])
  })

  it('adds no second network without a link', () => {
    const args = qemuCommand(vm).args
    expect(valuesOf(args, '-netdev')).toHaveLength(1)
    expect(args.join(' ')).not.toContain('dgram')
    expect(args.join(' ')).not.toContain('link0')
  })

  it('adds the dgram link bound to 127.0.0.1 on both ends, after the fixed flags', () => {
    const args = qemuCommand({
      ...vm,
      link: { localPort: 41001, remotePort: 41002, mac: '52:54:00:12:34:02', address: '10.77.0.2/24' }
    }).args
    expect(args.slice(-5)).toEqual([
      '-no-reboot',
      '-netdev',
      'dgram,id=link0,local.type=inet,local.host=127.0.0.1,local.port=41001,remote.type=inet,remote.host=127.0.0.1,remote.port=41002',
      '-device',
      'virtio-net-pci,netdev=link0,mac=52:54:00:12:34:02'
    ])
    const dgram = valuesOf(args, '-netdev')[1]!
    expect(dgram.match(/\.host=[^,]*/g)).toEqual(['.host=127.0.0.1', '.host=127.0.0.1'])
  })

  it('pairs every flag with its value (no value starts with a dash, no flag is left dangling)', () => {
    const args = qemuCommand({
      ...vm,
      link: { localPort: 1, remotePort: 2, mac: '52:54:00:00:00:01', address: '10.77.0.1/24' }
    }).args
    const bare = ['-no-reboot']
    const pairs: [string, string][] = []
    for (let i = 0; i < args.length; i++) {
      const flag = args[i]!
      expect(flag.startsWith('-')).toBe(true)
      if (bare.includes(flag)) continue
      const value = args[i + 1]
      expect(value).toBeDefined()
      expect(value!.startsWith('-')).toBe(false)
      pairs.push([flag, value!])
      i++
    }
    expect(pairs).toHaveLength(19)
  })
})

describe('kernelCmdline', () => {
  const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnly zfs-join-matrix\n'

  it('carries the ssh key base64-encoded, trimmed, and decodable back', () => {
    const line = kernelCmdline({ sshPublicKey: key, hostname: 'cp' })
    expect(line).toBe(
      `root=/dev/vda rw console=ttyS0 net.ifnames=0 panic=-1 ${BOOT_MASKED_UNITS.map(u => `systemd.mask=${u}`).join(' ')} zjm.key=${Buffer.from(key.trim()).toString('base64')} zjm.hostname=cp`
    )
    const encoded = /(?:^| )zjm\.key=(\S+)/.exec(line)![1]!
    expect(encoded).toMatch(/^[A-Za-z0-9+/=]+$/)
    expect(Buffer.from(encoded, 'base64').toString('utf8')).toBe(
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnly zfs-join-matrix'
    )
    expect(line).not.toContain('zjm.ip=')
    expect(line).not.toContain('zjm.dns=')
  })

  it('masks the boot units one by one, within the kernel command line limit of x86 (2,048 bytes)', () => {
    const line = kernelCmdline({
      sshPublicKey: key,
      hostname: 'w1',
      address: '10.77.0.3/24',
      dns: '10.77.0.1'
    })
    expect(line).toContain(' systemd.mask=systemd-udev-settle.service systemd.mask=zfs-import-cache.service ')
    // What the pool and containerd need is never masked.
    for (const unit of ['zfs-load-module.service', 'containerd.service', 'ssh.service', 'zjm-boot.service'])
      expect(line).not.toContain(`systemd.mask=${unit}`)
    expect(Buffer.byteLength(line)).toBeLessThan(2048)
  })

  it('appends zjm.ip and zjm.dns when given', () => {
    const line = kernelCmdline({
      sshPublicKey: key,
      hostname: 'w1',
      address: '10.77.0.3/24',
      dns: '10.77.0.1'
    })
    expect(line.split(' ').slice(-3)).toEqual(['zjm.hostname=w1', 'zjm.ip=10.77.0.3/24', 'zjm.dns=10.77.0.1'])
    expect(
      kernelCmdline({ sshPublicKey: key, hostname: 'w1', address: '10.77.0.3/24' }).split(' ').at(-1)
    ).toBe('zjm.ip=10.77.0.3/24')
  })
})
