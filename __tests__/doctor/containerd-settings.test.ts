import { describe, expect, it } from '@jest/globals'
import { readContainerdConfig, readNerdctlConfig } from '../../src/doctor/containerd-settings.js'

describe("the CRI's snapshotter from containerd's config", () => {
  it('version 1 (no version key): plugins.cri.containerd', () => {
    expect(readContainerdConfig('[plugins.cri.containerd]\n  snapshotter = "zfs"\n')).toMatchObject({
      kind: 'read',
      version: 1,
      criSnapshotter: 'zfs',
      criKey: 'plugins.cri.containerd.snapshotter'
    })
  })

  it("version 2: the grpc CRI section, overridden by the default runtime's own key", () => {
    const section =
      'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\n  snapshotter = "native"\n'
    expect(readContainerdConfig(section)).toMatchObject({ version: 2, criSnapshotter: 'native' })
    const perRuntime = `${section}  default_runtime_name = "crun"\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.crun]\n  snapshotter = "zfs"\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n  snapshotter = "overlayfs"\n`
    expect(readContainerdConfig(perRuntime)).toMatchObject({
      criSnapshotter: 'zfs',
      criKey: 'plugins.io.containerd.grpc.v1.cri.containerd.runtimes.crun.snapshotter'
    })
  })

  it("version 3: cri.v1.images, with the transfer service's unpack snapshotters and local pull", () => {
    const v3 = [
      'version = 3',
      '[plugins."io.containerd.cri.v1.images"]',
      '  snapshotter = "zfs"',
      '  use_local_image_pull = true',
      '[[plugins."io.containerd.transfer.v1.local".unpack_config]]',
      '  platform = "linux/amd64"',
      '  snapshotter = "zfs"',
      ''
    ].join('\n')
    expect(readContainerdConfig(v3)).toEqual({
      kind: 'read',
      version: 3,
      criSnapshotter: 'zfs',
      criKey: 'plugins.io.containerd.cri.v1.images.snapshotter',
      unpackSnapshotters: ['zfs'],
      localImagePull: true
    })
  })

  it("unset is containerd's default; absent and not-TOML say so; an unknown version is named", () => {
    expect(readContainerdConfig('version = 2\n')).toMatchObject({
      criSnapshotter: 'overlayfs',
      criKey: "(unset: containerd's default)"
    })
    expect(readContainerdConfig(undefined)).toEqual({ kind: 'absent' })
    expect(readContainerdConfig('[plugins\n')).toMatchObject({ kind: 'invalid' })
    expect(readContainerdConfig('version = 4\n')).toEqual({
      kind: 'invalid',
      reason: 'version = 4 is not 1, 2 or 3'
    })
  })
})

describe("nerdctl's snapshotter from nerdctl.toml", () => {
  it('as kubespray renders it, and its defaults', () => {
    expect(readNerdctlConfig('namespace = "k8s.io"\nsnapshotter = "zfs"\n')).toEqual({
      kind: 'read',
      snapshotter: 'zfs',
      snapshotterSet: true,
      namespace: 'k8s.io'
    })
    expect(readNerdctlConfig('debug = false\n')).toEqual({
      kind: 'read',
      snapshotter: 'overlayfs',
      snapshotterSet: false,
      namespace: 'default'
    })
    expect(readNerdctlConfig(undefined)).toEqual({ kind: 'absent' })
  })
})
