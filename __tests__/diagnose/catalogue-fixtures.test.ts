/**
 * Every signature of the catalogue has real evidence: at least one log fixture (captured on the
 * project's VMs or from runs of the real tools, see the fixtures' READMEs) that `diagnose` names it in,
 * read the way a user's file is read. A signature added without a fixture fails here.
 */
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { describe, expect, it } from '@jest/globals'
import { scanLogs } from '../../src/diagnose/scan-logs.js'
import { SIGNATURES } from '../../src/diagnose/signatures.js'

const fixtures = join(import.meta.dirname, '../fixtures')

const EVIDENCE: Readonly<Record<string, readonly string[]>> = {
  'zfs-snapshotter-not-a-dataset': ['logs/zfs-snapshotter-not-dataset.log'],
  'overlayfs-mount-einval': [
    'logs/debian-11-overlayfs-ctr.log',
    'logs/debian-11-overlayfs-cri.log',
    'logs/probe/debian-11-cri.log'
  ],
  'overlayfs-rename-whiteout': ['logs/debian-12-overlayfs-rename.log', 'logs/probe/debian-12-container.log'],
  'cri-transfer-unpack-missing': ['logs/containerd-2.1-transfer-unpack-native.log'],
  'native-fifo-copy': ['diagnose/nerdctl-pull-native-fifo.log'],
  'pull-network-unreachable': ['logs/debian-12-ctr-pull-restricted.log', 'diagnose/nerdctl-pull-dns.log'],
  'snapshot-missing-parent': ['logs/kubespray-11734-join.log', 'diagnose/containerd-journal.json'],
  'tool-snapshotter-mismatch': ['logs/probe/debian-12-zfs-ctr-kubespray-steps.log'],
  'nginx-proxy-not-running': ['logs/nginx-proxy-pull.log'],
  'apiserver-localhost-refused': ['logs/kubespray-11734-join.log'],
  'kubelet-client-ca-missing': ['logs/kubelet-missing-ca.log']
}

describe('the catalogue and its evidence', () => {
  it('lists a fixture for every signature, and no signature the catalogue lacks', () => {
    expect(Object.keys(EVIDENCE).sort()).toEqual(SIGNATURES.map(s => s.id).sort())
  })

  it.each(Object.entries(EVIDENCE).flatMap(([id, files]) => files.map(f => [id, f] as const)))(
    '%s is named in %s',
    async (id, file) => {
      const d = await scanLogs([join(fixtures, file)], Readable.from([]))
      expect(d.findings.map(f => f.signature.id)).toContain(id)
    }
  )
})
