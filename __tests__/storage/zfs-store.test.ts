import { describe, expect, it } from '@jest/globals'
import { zfsStoreCommands as z } from '../../src/storage/zfs-store.js'

describe('zfsStoreCommands', () => {
  it('makes a sparse pool file of the given size', () => {
    expect(z.poolFile('/work/host-pool.img', 40)).toEqual({
      program: 'truncate',
      args: ['-s', '40G', '/work/host-pool.img']
    })
  })

  it('creates the pool with 4K sectors, lz4, no sync writes and no mountpoint', () => {
    expect(z.createPool('zjm-r1', '/work/host-pool.img')).toEqual({
      program: 'zpool',
      args: [
        'create',
        '-f',
        '-o',
        'ashift=12',
        '-O',
        'compression=lz4',
        '-O',
        'sync=disabled',
        '-m',
        'none',
        'zjm-r1',
        '/work/host-pool.img'
      ]
    })
  })

  it('creates the golden zvol sparse, and fills it sparsely with dd', () => {
    expect(z.createGolden('zjm-r1/golden-debian-12', 1073741824)).toEqual({
      program: 'zfs',
      args: ['create', '-s', '-V', '1073741824', 'zjm-r1/golden-debian-12']
    })
    expect(z.fillGolden('/cache/debian-12-b1-k/root.img', 'zjm-r1/golden-debian-12')).toEqual({
      program: 'dd',
      args: [
        'if=/cache/debian-12-b1-k/root.img',
        'of=/dev/zvol/zjm-r1/golden-debian-12',
        'bs=4M',
        'conv=sparse',
        'status=none'
      ]
    })
  })

  it('snapshots, clones from @base, destroys recursively, destroys the pool and settles udev', () => {
    expect(z.snapshot('zjm-r1/golden-debian-12@base')).toEqual({
      program: 'zfs',
      args: ['snapshot', 'zjm-r1/golden-debian-12@base']
    })
    expect(z.clone('zjm-r1/golden-debian-12@base', 'zjm-r1/cp')).toEqual({
      program: 'zfs',
      args: ['clone', 'zjm-r1/golden-debian-12@base', 'zjm-r1/cp']
    })
    expect(z.destroy('zjm-r1/cp')).toEqual({ program: 'zfs', args: ['destroy', '-r', 'zjm-r1/cp'] })
    expect(z.destroyPool('zjm-r1')).toEqual({ program: 'zpool', args: ['destroy', '-f', 'zjm-r1'] })
    expect(z.settle()).toEqual({ program: 'udevadm', args: ['settle', '--timeout=30'] })
  })
})
