/** Predictions from check outputs shaped as the project's nodes print them (the VM test runs them for real). */
import { Readable } from 'node:stream'
import { describe, expect, it } from '@jest/globals'
import type { CheckId, CheckOutput } from '../../src/doctor/inspection.js'
import { readFacts } from '../../src/doctor/node-facts.js'
import { assessNode } from '../../src/doctor/predict-node.js'
import { scanSources } from '../../src/diagnose/scan-logs.js'
import { doctorText } from '../../src/report/doctor-report.js'

const ok = (output: string): CheckOutput => ({ output, exitCode: 0 })

const SNAP_HEADER = 'KEY PARENT KIND'

function node(overrides: Partial<Record<CheckId, CheckOutput>> = {}): Map<CheckId, CheckOutput> {
  const base: Record<CheckId, CheckOutput> = {
    kernel: ok('6.1.0-28-amd64'),
    'zfs-module': ok('2.1.11-1'),
    'zfs-userland': ok('zfs-2.1.11-1\nzfs-kmod-2.1.11-1'),
    'zfs-datasets': ok(
      'zjm\tnone\tno\nzjm/containerd\t/var/lib/containerd\tyes\nzjm/containerd/zfs-snapshotter\t/var/lib/containerd/io.containerd.snapshotter.v1.zfs\tyes'
    ),
    mounts: ok(
      '/ ext4 /dev/vda1\n/var/lib/containerd zfs zjm/containerd\n/var/lib/containerd/io.containerd.snapshotter.v1.zfs zfs zjm/containerd/zfs-snapshotter'
    ),
    'containerd-version': ok('containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u1'),
    'containerd-config': ok(
      'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\n  snapshotter = "zfs"\n'
    ),
    'nerdctl-config': ok('namespace = "k8s.io"\nsnapshotter = "zfs"\n'),
    plugins: ok(
      'TYPE ID PLATFORMS STATUS\nio.containerd.snapshotter.v1 native linux/amd64 ok\nio.containerd.snapshotter.v1 overlayfs linux/amd64 ok\nio.containerd.snapshotter.v1 zfs linux/amd64 ok'
    ),
    'snapshots-overlayfs': ok(SNAP_HEADER),
    'snapshots-zfs': ok(`${SNAP_HEADER}\nsha256:aa  Committed\nsha256:bb sha256:aa Committed`),
    'snapshots-native': ok(SNAP_HEADER),
    'kernel-log': ok(''),
    'containerd-journal': ok('-- No entries --'),
    'kubelet-journal': ok('-- No entries --'),
    'kubelet-files': ok(
      'absent /etc/kubernetes/ssl/ca.crt\nabsent /etc/kubernetes/kubelet.conf\nabsent /etc/kubernetes/manifests/nginx-proxy.yml'
    ),
    'kubelet-service': { output: 'inactive', exitCode: 3 },
    'nginx-proxy': { output: 'sh: 1: crictl: not found', exitCode: 127 }
  }
  return new Map(Object.entries({ ...base, ...overrides }) as [CheckId, CheckOutput][])
}

async function assess(outputs: Map<CheckId, CheckOutput>) {
  const facts = readFacts(outputs)
  const logs = await scanSources([
    { name: 'node:journalctl -u containerd', stream: Readable.from([facts.journals.containerd]) }
  ])
  return { facts, assessment: assessNode(facts, logs) }
}

const ids = (a: { assessment: { predictions: readonly { signature: { id: string } }[] } }) =>
  a.assessment.predictions.map(p => p.signature.id)

describe('doctor predictions', () => {
  it('a healthy zfs node: nothing predicted, nothing unknown', async () => {
    const a = await assess(node())
    expect(ids(a)).toEqual([])
    expect(a.assessment.unknowns).toEqual([])
    expect(
      doctorText([
        { kind: 'inspected', target: { name: 'w1', host: 'w1', sshArgs: [] }, durationMs: 1, ...a }
      ])
    ).toMatch(/No known signature predicted/)
  })

  it('overlayfs over OpenZFS 2.0 is Z1 and blocks the join (J1, J2); over 2.1 Z2 alone; over 2.2 nothing', async () => {
    // kubespray's files for overlayfs: the CRI and nerdctl at their defaults, no images yet.
    const overlay = {
      'containerd-config': ok('version = 2\n'),
      'nerdctl-config': ok('namespace = "k8s.io"\n'),
      'snapshots-zfs': ok(SNAP_HEADER)
    }
    const z1 = await assess(node({ ...overlay, 'zfs-module': ok('2.0.3-9') }))
    expect(z1.assessment.predictions.map(p => [p.signature.id, p.explainedBy])).toEqual([
      ['overlayfs-mount-einval', null],
      ['nginx-proxy-not-running', 'overlayfs-mount-einval'],
      ['apiserver-localhost-refused', 'overlayfs-mount-einval']
    ])
    expect(ids(await assess(node(overlay)))).toEqual(['overlayfs-rename-whiteout'])
    expect(ids(await assess(node({ ...overlay, 'zfs-module': ok('2.2.7-1') })))).toEqual([])
  })

  it('the module unreadable and the tools unreadable: an unknown, not a verdict', async () => {
    const a = await assess(
      node({
        'containerd-config': ok('version = 2\n'),
        'nerdctl-config': ok(''),
        'snapshots-zfs': ok(SNAP_HEADER),
        'zfs-module': { output: 'cat: /sys/module/zfs/version: No such file or directory', exitCode: 1 },
        'zfs-userland': { output: 'sh: 1: zfs: not found', exitCode: 127 }
      })
    )
    expect(ids(a)).toEqual([])
    expect(a.assessment.unknowns).toEqual([expect.stringMatching(/OpenZFS version could not be read/)])
  })

  it('containerd not running: where the images are is an unknown, not a verdict', async () => {
    const down = {
      output: 'ctr: failed to dial "/run/containerd/containerd.sock": context deadline exceeded',
      exitCode: 1
    }
    const a = await assess(
      node({ plugins: down, 'snapshots-overlayfs': down, 'snapshots-zfs': down, 'snapshots-native': down })
    )
    expect(ids(a)).toEqual([])
    expect(a.assessment.unknowns).toEqual([
      'which k8s.io images the CRI\'s zfs holds: exit 1: ctr: failed to dial "/run/containerd/containerd.sock": context deadline exceeded'
    ])
  })

  it('nerdctl.toml without a snapshotter beside a zfs CRI, images in overlayfs: S2 with both reasons', async () => {
    const a = await assess(
      node({
        'nerdctl-config': ok('namespace = "k8s.io"\n'),
        'snapshots-overlayfs': ok(`${SNAP_HEADER}\nsha256:aa  Committed`),
        'snapshots-zfs': ok(SNAP_HEADER)
      })
    )
    expect(a.assessment.predictions).toHaveLength(1)
    expect(a.assessment.predictions[0]!.because).toEqual([
      "/etc/nerdctl/nerdctl.toml sets no snapshotter (nerdctl's default, overlayfs), the CRI uses zfs",
      "the k8s.io images' snapshots: 1 in overlayfs; 0 in the CRI's zfs"
    ])
  })

  it("zfs with its root on ext4: Z3 from the mount table, the plugin's status and containerd's own journal line", async () => {
    const a = await assess(
      node({
        // /var/lib/containerd on the root filesystem, the pool elsewhere: kubespray's default layout.
        'zfs-datasets': ok('tank\t/tank\tyes'),
        mounts: ok('/ ext4 /dev/vda1\n/tank zfs tank'),
        plugins: ok('TYPE ID PLATFORMS STATUS\nio.containerd.snapshotter.v1 zfs linux/amd64 skip'),
        'containerd-journal': ok(
          'Dec 02 10:00:00 w1 containerd[500]: time="…" level=info msg="skip loading plugin \\"io.containerd.snapshotter.v1.zfs\\"..." error="path /var/lib/containerd/io.containerd.snapshotter.v1.zfs must be a zfs filesystem to be used with the zfs snapshotter: skip plugin" type=io.containerd.snapshotter.v1'
        )
      })
    )
    expect(ids(a)).toEqual([
      'zfs-snapshotter-not-a-dataset',
      'nginx-proxy-not-running',
      'apiserver-localhost-refused'
    ])
    const z3 = a.assessment.predictions[0]!
    expect(z3.because).toEqual([
      expect.stringMatching(/io\.containerd\.snapshotter\.v1\.zfs is on ext4 \(\/dev\/vda1\), not on ZFS/),
      'containerd lists its zfs snapshotter plugin as skip'
    ])
    expect(z3.evidence).toEqual([expect.objectContaining({ file: 'node:journalctl -u containerd', line: 1 })])
  })

  it('a zfs root that is a plain directory inside a dataset loads the plugin: nothing predicted', async () => {
    const a = await assess(
      node({
        'zfs-datasets': ok('zjm/containerd\t/var/lib/containerd\tyes'),
        mounts: ok('/ ext4 /dev/vda1\n/var/lib/containerd zfs zjm/containerd')
      })
    )
    expect(ids(a)).toEqual([])
  })

  it('containerd 2.1 with the CRI on zfs and no unpack_config for it: S3; listed, or a local pull: none', async () => {
    const v3 = 'version = 3\n[plugins."io.containerd.cri.v1.images"]\n  snapshotter = "zfs"\n'
    const version = { 'containerd-version': ok('containerd github.com/containerd/containerd/v2 v2.1.4 abc') }
    expect(ids(await assess(node({ ...version, 'containerd-config': ok(v3) })))).toEqual([
      'cri-transfer-unpack-missing',
      'nginx-proxy-not-running',
      'apiserver-localhost-refused'
    ])
    const listed = `${v3}[[plugins."io.containerd.transfer.v1.local".unpack_config]]\n  platform = "linux/amd64"\n  snapshotter = "zfs"\n`
    expect(ids(await assess(node({ ...version, 'containerd-config': ok(listed) })))).toEqual([])
    expect(
      ids(await assess(node({ ...version, 'containerd-config': ok(`${v3}  use_local_image_pull = true\n`) })))
    ).toEqual([])
  })

  it("kubelet residue: kubelet.conf without ca.crt is J3; nginx-proxy's manifest with no running container is J1", async () => {
    const a = await assess(
      node({
        'kubelet-files': ok(
          'absent /etc/kubernetes/ssl/ca.crt\npresent /etc/kubernetes/kubelet.conf\npresent /etc/kubernetes/manifests/nginx-proxy.yml'
        ),
        'nginx-proxy': ok('{"containers":[{"state":"CONTAINER_EXITED"}]}')
      })
    )
    expect(ids(a)).toEqual(['nginx-proxy-not-running', 'kubelet-client-ca-missing'])
    const running = await assess(
      node({
        'kubelet-files': ok(
          'present /etc/kubernetes/ssl/ca.crt\npresent /etc/kubernetes/kubelet.conf\npresent /etc/kubernetes/manifests/nginx-proxy.yml'
        ),
        'nginx-proxy': ok('WARN[0000] something\n{"containers":[{"state":"CONTAINER_RUNNING"}]}')
      })
    )
    expect(ids(running)).toEqual([])
  })
})
