import { describe, expect, it } from '@jest/globals'
import { statRequest } from '../../src/containerd/snapshots-client.js'

describe('statRequest', () => {
  it('encodes the snapshotter as field 1 and the key as field 2, length-delimited', () => {
    expect(statRequest('zfs', 'ab').toString('hex')).toBe('0a037a6673' + '12026162')
  })

  it('writes lengths of 128 bytes and more as multi-byte varints', () => {
    const key = `sha256:${'f'.repeat(200)}`
    const bytes = statRequest('native', key)
    // 207 = 0xcf: low seven bits 0x4f with the continuation bit, then 0x01.
    expect(bytes.subarray(8, 11).toString('hex')).toBe('12cf01')
    expect(bytes.subarray(11).toString('utf8')).toBe(key)
  })
})
