import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { cmd } from '../../src/exec/command.js'
import type { CommandResult } from '../../src/exec/executor.js'
import { imageConcurrency } from '../../src/run/concurrency.js'
import { downloadsUnreachable } from '../../src/scenarios/join/join-checks.js'
import { playbookOutcome } from '../../src/kubespray/playbook-outcome.js'
import { rejoinVerdict, withEvidence } from '../../src/scenarios/join/rejoin-verdict.js'
import { classify, type Evidence } from '../../src/diagnose/classify.js'

function result(
  exitCode: number | null,
  stdout: string,
  killedBy: CommandResult['killedBy'] = null
): CommandResult {
  return {
    command: cmd('ansible-playbook', 'scale.yml'),
    exitCode,
    killedBy,
    stdout,
    stderr: '',
    durationMs: 1000
  }
}

const PLAY = `PLAY [kube_node] ***
TASK [container-engine/containerd : Render config] ***
ok: [w-debian-12-1]
TASK [download : Download image if required] ***
`

describe('reading a playbook run', () => {
  it('a run that exits 0 is ok', () => {
    expect(playbookOutcome('scale.yml', result(0, PLAY))).toEqual({ kind: 'ok' })
  })

  it('a failed task is the node’s failure, named with its task and Ansible’s message', () => {
    const out = `${PLAY}fatal: [w-debian-12-1]: FAILED! => {"msg": "ctr: failed to prepare extraction snapshot: missing parent: bucket: not found"}\n`
    expect(playbookOutcome('scale.yml', result(2, out))).toEqual({
      kind: 'failed',
      message:
        'scale.yml, task "download : Download image if required" failed: fatal: [w-debian-12-1]: FAILED! => {"msg": "ctr: failed to prepare extraction snapshot: missing parent: bucket: not found"}'
    })
  })

  it('an unreachable host, or a download with no route, is the harness’s error, not the cell’s failure', () => {
    const unreachable = `${PLAY}fatal: [w-debian-12-1]: UNREACHABLE! => {"msg": "Failed to connect to the host via ssh"}\n`
    expect(playbookOutcome('scale.yml', result(4, unreachable)).kind).toBe('broken')
    const noRoute = `${PLAY}fatal: [w-debian-12-1]: FAILED! => {"msg": "Request failed: <urlopen error [Errno -3] Temporary failure in name resolution>"}\n`
    expect(playbookOutcome('scale.yml', result(2, noRoute))).toEqual({
      kind: 'broken',
      message: expect.stringContaining(
        'scale.yml, task "download : Download image if required": a download had no route'
      ) as unknown as string
    })
  })

  it('real kubespray v2.23.3 with no route: the censored binary download that stopped the play is the harness’s error, with how to see why', () => {
    const log = readFileSync(
      join(import.meta.dirname, '../fixtures/logs/kubespray-2.23.3-cluster-download-no-route.log'),
      'utf8'
    )
    expect(playbookOutcome('cluster.yml', result(2, log))).toEqual({
      kind: 'broken',
      // The download itself, not the mirror probe before it whose failure Ansible ignored.
      message:
        'cluster.yml, task "container-engine/runc : Download_file | Download item": a file download failed and kubespray hid why (no_log); set unsafe_show_logs: true in kubespray-vars to see it'
    })
  })

  it('a failure Ansible ignored is passed over for the one that stopped the play', () => {
    const out = `${PLAY}fatal: [w-debian-12-1]: FAILED! => {"msg": "probe"}\n...ignoring\nTASK [kubernetes/node : Start kubelet] ***\nfatal: [w-debian-12-1]: FAILED! => {"msg": "unable to load client CA file /etc/kubernetes/ssl/ca.crt"}\n`
    expect(playbookOutcome('scale.yml', result(2, out))).toEqual({
      kind: 'failed',
      message:
        'scale.yml, task "kubernetes/node : Start kubelet" failed: fatal: [w-debian-12-1]: FAILED! => {"msg": "unable to load client CA file /etc/kubernetes/ssl/ca.crt"}'
    })
  })

  it('a censored failure outside the binary downloads stays the node’s failure', () => {
    const out = `${PLAY}fatal: [w-debian-12-1]: FAILED! => {"censored": "the output has been hidden due to the fact that 'no_log: true' was specified for this result", "changed": false}\n`
    expect(playbookOutcome('scale.yml', result(2, out)).kind).toBe('failed')
  })

  it('a run killed by the cell timeout is broken, not failed', () => {
    expect(playbookOutcome('cluster.yml', result(null, PLAY, 'timeout'))).toEqual({
      kind: 'broken',
      message: 'cluster.yml: ansible-playbook scale.yml timed out after 1s'
    })
  })
})

describe('whether the guests can reach kubespray’s downloads', () => {
  it('outbound networking reaches them', () => {
    expect(downloadsUnreachable({ guestNetwork: 'outbound', kubesprayVars: {} })).toBeNull()
  })

  it('a restricted network reaches them only through mirrors set in kubespray-vars', () => {
    expect(downloadsUnreachable({ guestNetwork: 'restricted', kubesprayVars: {} })).toMatch(
      /^the guests have no route to kubespray's downloads \(guest-network: restricted/
    )
    for (const mirror of ['files_repo', 'registry_host', 'kube_image_repo', 'kubeadm_download_url']) {
      expect(
        downloadsUnreachable({ guestNetwork: 'restricted', kubesprayVars: { [mirror]: 'x' } })
      ).toBeNull()
    }
    expect(
      downloadsUnreachable({ guestNetwork: 'restricted', kubesprayVars: { kube_version: '1.33.0' } })
    ).not.toBeNull()
  })
})

describe('how many images run at once', () => {
  const capacity = { cpus: 4, availableMb: 16_384 }
  it('one VM per image for the probe, two for the join tiers (control plane and worker)', () => {
    expect(imageConcurrency(4, ['lint', 'probe'], 2048, capacity).images).toBe(4)
    expect(imageConcurrency(4, ['lint', 'join'], 2048, capacity).images).toBe(2)
    expect(imageConcurrency(4, ['join', 'rejoin'], 2048, { cpus: 2, availableMb: 24_000 }).images).toBe(1)
    expect(imageConcurrency(4, ['lint'], 2048, capacity)).toEqual({
      images: 1,
      nodeCpus: 2,
      reason: 'no tier boots a VM'
    })
  })

  it("gives the probe's VMs the host's cores between them, the join tiers' always two vCPUs", () => {
    expect(imageConcurrency(4, ['probe'], 2048, { cpus: 2, availableMb: 24_000 })).toMatchObject({
      images: 2,
      nodeCpus: 1
    })
    expect(imageConcurrency(1, ['probe'], 2048, { cpus: 2, availableMb: 24_000 })).toMatchObject({
      images: 1,
      nodeCpus: 2
    })
    expect(imageConcurrency(4, ['probe'], 2048, { cpus: 4, availableMb: 16_384 })).toMatchObject({
      images: 4,
      nodeCpus: 1
    })
    // Memory holds one VM: it gets the cores (at most two).
    expect(imageConcurrency(4, ['probe'], 2048, { cpus: 8, availableMb: 3_600 })).toMatchObject({
      images: 1,
      nodeCpus: 2
    })
    expect(
      imageConcurrency(4, ['lint', 'probe', 'join'], 2048, { cpus: 2, availableMb: 24_000 })
    ).toMatchObject({
      images: 1,
      nodeCpus: 2
    })
    expect(imageConcurrency(4, ['probe'], 2048, { cpus: 2, availableMb: 24_000 }).reason).toContain(
      '1 vCPU(s) a VM'
    )
  })
})

describe('the rejoin verdict', () => {
  const ok = { kind: 'pass' } as const
  const refused = {
    kind: 'fail',
    message:
      'scale.yml, task "kubeadm | Join to cluster" failed: dial tcp 127.0.0.1:6443: connect: connection refused',
    evidence: [{ source: 'ansible scale', text: 'dial tcp 127.0.0.1:6443: connect: connection refused' }]
  } as const
  const noCa = {
    kind: 'fail',
    message: 'no running nginx-proxy container on w-debian-12-1 after 120s',
    evidence: [{ source: 'kubelet', text: 'unable to load client CA file /etc/kubernetes/ssl/ca.crt' }]
  } as const
  const journal = [{ source: 'containerd', text: 'level=info msg="loading plugin"' }]

  it('reports every step; rescaling without reset failing is the cell’s failure, with its evidence', () => {
    const v = rejoinVerdict([refused, noCa, ok, ok], journal)
    expect(v).toEqual({
      kind: 'fail',
      message: `first scale: ${refused.message}; scale again without reset: ${noCa.message}; reset.yml: ok; scale after reset: ok`,
      evidence: [...noCa.evidence, ...journal]
    })
    expect(classify((v as unknown as { evidence: Evidence[] }).evidence).signature.id).toBe(
      'kubelet-client-ca-missing'
    )
  })

  it('passes when both rejoins work, whatever the first scale did', () => {
    expect(rejoinVerdict([refused, ok, ok, ok], journal)).toEqual({ kind: 'pass' })
  })

  it('a rejoin step that could not run makes the cell the harness’s error', () => {
    const unreachable = { kind: 'error', message: 'scale.yml: host unreachable', evidence: [] } as const
    expect(rejoinVerdict([ok, ok, unreachable, noCa], journal)).toMatchObject({
      kind: 'error',
      message: expect.stringContaining(
        'reset.yml: scale.yml: host unreachable; scale after reset: no running nginx-proxy'
      ) as unknown as string
    })
  })

  it('the join’s own failure keeps the worker’s journals for diagnosis; a pass stays a pass', () => {
    expect(withEvidence(refused, journal)).toEqual({
      ...refused,
      evidence: [...refused.evidence, ...journal]
    })
    expect(withEvidence(ok, journal)).toEqual(ok)
  })
})
