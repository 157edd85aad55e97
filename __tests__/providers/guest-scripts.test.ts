import { spawnSync } from 'node:child_process'
import { describe, expect, it } from '@jest/globals'
import {
  CLEAN_DATASETS,
  CONTAINERD_DATASET,
  FACTS,
  LAYER_ROOTS,
  RESET,
  SETUP_POOL,
  ZFS_SNAPSHOTTER_DATASET,
  parseFacts
} from '../../src/providers/qemu/guest-scripts.js'

function syntaxCheck(script: string): { status: number | null; stderr: string } {
  const r = spawnSync('sh', ['-n'], { input: script, encoding: 'utf8' })
  return { status: r.status, stderr: r.stderr }
}

describe('guest scripts', () => {
  it('parseFacts reads the FACTS output of a booted guest', () => {
    const out = [
      'kernel=6.1.0-41-cloud-amd64',
      'openzfs=2.3.2-2~bpo12+2',
      'containerd=1.6.20~ds1-1+b1',
      'runc=1.1.5+ds1-1+deb12u1',
      ''
    ].join('\n')
    expect(parseFacts(out)).toEqual({
      kernel: '6.1.0-41-cloud-amd64',
      openzfs: '2.3.2-2~bpo12+2',
      containerd: '1.6.20~ds1-1+b1',
      runc: '1.1.5+ds1-1+deb12u1'
    })
  })

  it('parseFacts ignores junk, unknown keys and empty values', () => {
    const out = [
      "Warning: Permanently added '[127.0.0.1]:40222' (ED25519) to the list of known hosts.",
      '  kernel=5.10.0-35-cloud-amd64  ',
      'openzfs=',
      'runc=',
      'hostname=cp',
      'containerd version: 1.4.13',
      'kernel 6.1',
      'containerd=1.4.13~ds1-1~deb11u4'
    ].join('\r\n')
    expect(parseFacts(out)).toEqual({ kernel: '5.10.0-35-cloud-amd64', containerd: '1.4.13~ds1-1~deb11u4' })
    expect(parseFacts('')).toEqual({})
  })

  it('SETUP_POOL, RESET and FACTS are valid POSIX sh', () => {
    expect(syntaxCheck(SETUP_POOL)).toEqual({ status: 0, stderr: '' })
    expect(syntaxCheck(RESET)).toEqual({ status: 0, stderr: '' })
    expect(syntaxCheck(FACTS)).toEqual({ status: 0, stderr: '' })
    // The check itself catches a broken script.
    expect(syntaxCheck(`${RESET}\nif true; then\n`).status).not.toBe(0)
  })

  it('SETUP_POOL builds the zjm pool and the containerd datasets, then snapshots them', () => {
    expect(CONTAINERD_DATASET).toBe('zjm/containerd')
    expect(ZFS_SNAPSHOTTER_DATASET).toBe('zjm/containerd/zfs-snapshotter')
    const lines = SETUP_POOL.split('\n')
    expect(lines[0]).toBe('set -eu')
    expect(lines).toContain(
      'zpool create -f -o ashift=12 -O compression=lz4 -O atime=off -O mountpoint=none zjm /dev/vdb'
    )
    expect(lines).toContain('zfs create -o mountpoint=/var/lib/containerd zjm/containerd')
    expect(lines).toContain(
      'zfs create -o mountpoint=/var/lib/containerd/io.containerd.snapshotter.v1.zfs zjm/containerd/zfs-snapshotter'
    )
    expect(lines).toContain('zfs snapshot -r zjm/containerd@clean')
    expect(lines).toContain('systemctl unmask containerd.service')
  })

  it('RESET lists the datasets once, destroys the layers tree by tree, rolls the rest back', () => {
    const lines = RESET.split('\n')
    expect(lines[0]).toBe('set -eu')
    expect(RESET.match(/zfs list -H -o name,origin -t filesystem,snapshot/g)).toHaveLength(1)
    expect(RESET).toContain('zfs destroy -R -f "$ds"')
    expect(RESET).toContain('zfs rollback -r "$ds@clean"')
    expect(RESET).toContain('systemctl stop containerd.service')
    expect(RESET).toContain('/sys/fs/cgroup/system.slice/containerd.service/cgroup.procs')
  })

  // What `zfs list -H -o name,origin -t filesystem,snapshot -r zjm/containerd` printed after a zfs
  // cell, with a layer (9 → 10 → 11), an active snapshot cloned from 10, and an unrelated root (42).
  const LISTING = [
    ['zjm/containerd', '-'],
    ['zjm/containerd@clean', '-'],
    ['zjm/containerd/zfs-snapshotter', '-'],
    ['zjm/containerd/zfs-snapshotter@clean', '-'],
    ['zjm/containerd/zfs-snapshotter/10', 'zjm/containerd/zfs-snapshotter/9@snapshot'],
    ['zjm/containerd/zfs-snapshotter/10@snapshot', '-'],
    ['zjm/containerd/zfs-snapshotter/11', 'zjm/containerd/zfs-snapshotter/10@snapshot'],
    ['zjm/containerd/zfs-snapshotter/12', 'zjm/containerd/zfs-snapshotter/10@snapshot'],
    ['zjm/containerd/zfs-snapshotter/42', '-'],
    ['zjm/containerd/zfs-snapshotter/9', '-'],
    ['zjm/containerd/zfs-snapshotter/9@snapshot', '-'],
    ['zjm/containerd/zfs-snapshotter/50', 'zjm/containerd/zfs-snapshotter@clean']
  ]
    .map(([name, origin]) => `${name}\t${origin}\n`)
    .join('')
  const awkLines = (program: string): string[] => {
    const r = spawnSync('sh', ['-c', program], { input: LISTING, encoding: 'utf8' })
    expect(r.stderr).toBe('')
    return r.stdout
      .split('\n')
      .filter(l => l !== '')
      .sort()
  }

  it('LAYER_ROOTS names one dataset per clone tree: no origin, or a clean dataset as origin', () => {
    expect(awkLines(LAYER_ROOTS)).toEqual([
      'zjm/containerd/zfs-snapshotter/42',
      'zjm/containerd/zfs-snapshotter/50',
      'zjm/containerd/zfs-snapshotter/9'
    ])
    expect(awkLines(CLEAN_DATASETS)).toEqual(['zjm/containerd', 'zjm/containerd/zfs-snapshotter'])
  })

  it('FACTS prints the four keys parseFacts reads, with dpkg-query format fields intact', () => {
    expect(FACTS.match(/^echo "(\w+)=/gm)).toEqual([
      'echo "kernel=',
      'echo "openzfs=',
      'echo "containerd=',
      'echo "runc='
    ])
    expect(FACTS).toContain("dpkg-query -W -f '${Version}' containerd")
  })
})
