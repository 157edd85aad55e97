import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { classify } from '../../src/diagnose/classify.js'
import { SIGNATURES, UNKNOWN_SIGNATURE, findSignature } from '../../src/diagnose/signatures.js'

const fixture = (name: string) => ({
  source: name,
  text: readFileSync(join(import.meta.dirname, '../fixtures/logs', name), 'utf8')
})

describe('classify', () => {
  it.each([
    ['debian-11-overlayfs-ctr.log', 'overlayfs-mount-einval'],
    ['debian-11-overlayfs-cri.log', 'overlayfs-mount-einval'],
    ['debian-12-overlayfs-rename.log', 'overlayfs-rename-whiteout'],
    ['zfs-snapshotter-not-dataset.log', 'zfs-snapshotter-not-a-dataset'],
    ['kubespray-11734-join.log', 'snapshot-missing-parent'],
    ['kubelet-missing-ca.log', 'kubelet-client-ca-missing'],
    ['nginx-proxy-pull.log', 'nginx-proxy-not-running'],
    ['containerd-2.1-transfer-unpack-native.log', 'cri-transfer-unpack-missing'],
    // ctr on a node with no resolver: Go asks 127.0.0.1:53 and nothing answers.
    ['debian-12-ctr-pull-restricted.log', 'pull-network-unreachable']
  ])('%s → %s', (file, id) => {
    expect(classify([fixture(file)]).signature.id).toBe(id)
  })

  it('names the root cause and lists the downstream symptoms it explains', () => {
    const d = classify([fixture('kubespray-11734-join.log'), fixture('kubelet-missing-ca.log')])
    expect(d.signature.id).toBe('snapshot-missing-parent')
    expect(d.alsoMatched).toEqual(['apiserver-localhost-refused', 'kubelet-client-ca-missing'])
    expect(d.excerpt[0]).toMatch(/^kubespray-11734-join\.log: .*missing parent/)
  })

  it('the 2.1 kernel warning alone (without the failed rename) is not a failure signature', () => {
    const d = classify([
      { source: 'dmesg', text: '[ 3.1] overlayfs: upper fs does not support RENAME_WHITEOUT.' }
    ])
    expect(d.signature).toBe(UNKNOWN_SIGNATURE)
  })

  it('a download failing on DNS is a network failure, not a snapshotter one', () => {
    const d = classify([fixture('unrelated-failure.log')])
    expect(d.signature.id).toBe('pull-network-unreachable')
    expect(d.alsoMatched).toEqual([])
  })

  it('an unknown failure quotes the suspicious lines, not the whole log', () => {
    const text = [
      'TASK [kubernetes/preinstall : Stop if swap enabled] ***',
      'ok: [node1]',
      'fatal: [node3]: FAILED! => {"msg": "Assertion failed"}'
    ].join('\n')
    const d = classify([{ source: 'play.log', text }])
    expect(d.signature.id).toBe('unknown')
    expect(d.excerpt).toEqual([expect.stringContaining('Assertion failed')])
  })

  it('a FIFO the native snapshotter cannot copy is not a missing parent', () => {
    const line =
      'FATA[0003] failed to extract layer sha256:3c1b: failed to prepare extraction snapshot "extract-1-sha256:3c1b": copying of parent failed: unsupported mode prw-r--r--: unknown'
    expect(classify([{ source: 'pull', text: line }]).signature.id).toBe('native-fifo-copy')
  })
})

describe('the catalogue', () => {
  it('has unique ids and codes, and every entry says its symptom, cause and fix', () => {
    expect(new Set(SIGNATURES.map(s => s.id)).size).toBe(SIGNATURES.length)
    expect(new Set(SIGNATURES.map(s => s.code)).size).toBe(SIGNATURES.length)
    for (const s of SIGNATURES) {
      expect(s.patterns.length).toBeGreaterThan(0)
      expect([s.symptom, s.rootCause, s.fix].every(t => t.length > 20)).toBe(true)
    }
  })

  it('seeds every symptom of the ZFS join failure', () => {
    expect(SIGNATURES.map(s => s.id)).toEqual(
      expect.arrayContaining([
        'overlayfs-mount-einval',
        'overlayfs-rename-whiteout',
        'snapshot-missing-parent',
        'apiserver-localhost-refused',
        'nginx-proxy-not-running',
        'kubelet-client-ca-missing',
        'zfs-snapshotter-not-a-dataset'
      ])
    )
    expect(findSignature('unknown')).toBe(UNKNOWN_SIGNATURE)
    expect(findSignature('nope')).toBeUndefined()
  })
})
