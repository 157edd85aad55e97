import { join } from 'node:path'
import { Readable } from 'node:stream'
import { describe, expect, it } from '@jest/globals'
import { causalOrder } from '../../src/diagnose/causal-order.js'
import { scanLogs } from '../../src/diagnose/scan-logs.js'
import { EXPLAINS, SIGNATURES, findSignature, type SignatureId } from '../../src/diagnose/signatures.js'

const logs = join(import.meta.dirname, '../fixtures/logs')
const noStdin = Readable.from([])
const sig = (id: SignatureId) => findSignature(id)!
const placed = (ids: SignatureId[]) =>
  causalOrder(SIGNATURES.filter(s => ids.includes(s.id))).map(p => [p.signature.code, p.explainedBy])

describe('causal order of signatures found together', () => {
  it('a join failure found with a node failure is its symptom, each in the chain after its cause', () => {
    expect(
      placed(['overlayfs-mount-einval', 'apiserver-localhost-refused', 'kubelet-client-ca-missing'])
    ).toEqual([
      ['Z1', null],
      ['J2', 'overlayfs-mount-einval'],
      ['J3', 'overlayfs-mount-einval']
    ])
  })

  it('unrelated failures of different stages are each a root cause, not one the symptom of the other', () => {
    // A registry out of reach says nothing about overlayfs on OpenZFS 2.0, nor a snapshotter mismatch
    // about the network; the join symptoms go under the first root cause, the others stand alone.
    expect(
      placed([
        'overlayfs-mount-einval',
        'pull-network-unreachable',
        'tool-snapshotter-mismatch',
        'nginx-proxy-not-running'
      ])
    ).toEqual([
      ['Z1', null],
      ['J1', 'overlayfs-mount-einval'],
      ['N1', null],
      ['S2', null]
    ])
  })

  it('join symptoms alone: the earliest one found is the root cause of the rest', () => {
    expect(placed(['apiserver-localhost-refused', 'kubelet-client-ca-missing'])).toEqual([
      ['J2', null],
      ['J3', 'apiserver-localhost-refused']
    ])
  })

  it('every signature is placed exactly once, and nothing causes itself, whatever is found', () => {
    const all = causalOrder(SIGNATURES)
    expect(all.map(p => p.signature.id).sort()).toEqual(SIGNATURES.map(s => s.id).sort())
    for (const [id, next] of Object.entries(EXPLAINS)) expect(next).not.toContain(id)
    // Only the node and image failures are root causes when everything is found.
    expect(all.filter(p => p.explainedBy === null).map(p => p.signature.code)).toEqual([
      'Z3',
      'Z1',
      'Z2',
      'S3',
      'S4',
      'N1',
      'S1',
      'S2'
    ])
  })

  it('a signature outside the catalogue explains nothing and is explained by nothing', () => {
    const own = { ...sig('kubelet-client-ca-missing'), id: 'own', code: 'X' }
    expect(causalOrder([sig('overlayfs-mount-einval'), own]).map(p => p.explainedBy)).toEqual([null, null])
  })

  it('real logs: a pull with no route out and overlayfs on OpenZFS 2.1 are two causes; the missing CA follows the first', async () => {
    const d = await scanLogs(
      [
        join(logs, 'debian-12-overlayfs-rename.log'),
        join(logs, 'kubelet-missing-ca.log'),
        join(logs, 'debian-12-ctr-pull-restricted.log')
      ],
      noStdin
    )
    expect(d.findings.map(f => [f.signature.code, f.explainedBy])).toEqual([
      ['Z2', null],
      ['J3', 'overlayfs-rename-whiteout'],
      ['N1', null]
    ])
  })
})
