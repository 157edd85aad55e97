import { describe, expect, it } from '@jest/globals'
import { shellSplit } from '../../src/exec/command.js'
import { lineDiff } from '../../src/log/line-diff.js'
import { applyHarness, harnessVars } from '../../src/scenarios/probe/harness.js'
import { readToml, setKey, tablePath, valueAt } from '../../src/containerd/toml-edit.js'

const V2 = `version = 2
root = "/var/lib/containerd"

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "127.0.0.1:5000/zjm/pause:v1"
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "zfs"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        systemdCgroup = true
        BinaryName = "/usr/local/bin/runc"
`

const V3 = `version = 3
[plugins]
  [plugins."io.containerd.cri.v1.runtime"]
    disable_apparmor = false
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
      SystemdCgroup = true
  [plugins."io.containerd.cri.v1.images"]
    snapshotter = "native"
`

describe('the harness overlays on a rendered containerd config', () => {
  it('version 2: cgroupfs (whatever the key case) and AppArmor off in the CRI table, with the diff', () => {
    const h = applyHarness(
      [{ path: '/etc/containerd/config.toml', content: V2 }],
      '/usr/local/bin/crictl pull x'
    )
    const config = h.files[0]!.content
    const toml = readToml(config)
    expect(toml.kind).toBe('toml')
    if (toml.kind !== 'toml') return
    expect(
      valueAt(toml.value, [
        'plugins',
        'io.containerd.grpc.v1.cri',
        'containerd',
        'runtimes',
        'runc',
        'options',
        'systemdCgroup'
      ])
    ).toBe(false)
    expect(valueAt(toml.value, ['plugins', 'io.containerd.grpc.v1.cri', 'disable_apparmor'])).toBe(true)
    // Nothing else moved: the snapshotter and sandbox lines are the checkout's.
    expect(valueAt(toml.value, ['plugins', 'io.containerd.grpc.v1.cri', 'containerd', 'snapshotter'])).toBe(
      'zfs'
    )
    expect(h.overlays.map(o => o.why.split(':')[0])).toEqual([
      'SystemdCgroup = false',
      'disable_apparmor = true in [plugins."io.containerd.grpc.v1.cri"]'
    ])
    expect(h.diff).toBe(
      [
        '--- /etc/containerd/config.toml (rendered)',
        '+++ /etc/containerd/config.toml (probed)',
        '@@ -4,9 +4,10 @@',
        ' [plugins]',
        '   [plugins."io.containerd.grpc.v1.cri"]',
        '+    disable_apparmor = true',
        '     sandbox_image = "127.0.0.1:5000/zjm/pause:v1"',
        '     [plugins."io.containerd.grpc.v1.cri".containerd]',
        '       snapshotter = "zfs"',
        '       [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
        '-        systemdCgroup = true',
        '+        systemdCgroup = false',
        '         BinaryName = "/usr/local/bin/runc"',
        ' ',
        ''
      ].join('\n')
    )
  })

  it('version 3: the existing disable_apparmor line is set in place, in the runtime table', () => {
    const h = applyHarness([{ path: '/etc/containerd/config.toml', content: V3 }], 'ctr images pull x')
    expect(h.files[0]!.content).toContain(
      '  [plugins."io.containerd.cri.v1.runtime"]\n    disable_apparmor = true\n'
    )
    expect(h.files[0]!.content).toContain('      SystemdCgroup = false\n')
    expect(h.files[0]!.content.match(/disable_apparmor/g)).toHaveLength(1)
  })

  it('a config already right, and the other files, are sent as rendered, with no diff', () => {
    const done = V3.replace('disable_apparmor = false', 'disable_apparmor = true').replace(
      'SystemdCgroup = true',
      'SystemdCgroup = false'
    )
    const nerdctl = { path: '/etc/nerdctl/nerdctl.toml', content: 'snapshotter = "overlayfs"\n' }
    const h = applyHarness([{ path: '/etc/containerd/config.toml', content: done }, nerdctl], 'crictl pull x')
    expect(h.files).toEqual([{ path: '/etc/containerd/config.toml', content: done }, nerdctl])
    expect([h.overlays, h.diff]).toEqual([[], ''])
  })

  it('a config that is not TOML goes as rendered: containerd refusing it is the finding', () => {
    const broken = '[plugins\nsnapshotter = "zfs"\n'
    const h = applyHarness([{ path: '/etc/containerd/config.toml', content: broken }], 'crictl pull x')
    expect(h.files[0]!.content).toBe(broken)
  })
})

describe('the harness on the evaluated pull', () => {
  it('ctr reading no hosts.toml gets --plain-http after "pull"; with --hosts-dir it needs none', () => {
    const plain = applyHarness([], '/usr/local/bin/ctr -n k8s.io images pull 127.0.0.1:5000/zjm/probe:v1')
    expect(plain.pull).toEqual({
      program: '/usr/local/bin/ctr',
      args: ['-n', 'k8s.io', 'images', 'pull', '--plain-http', '127.0.0.1:5000/zjm/probe:v1']
    })
    expect(plain.overlays).toEqual([expect.objectContaining({ target: 'pull' })])
    const hosts = applyHarness(
      [],
      '/usr/local/bin/ctr -n k8s.io images pull --snapshotter=zfs --hosts-dir /etc/containerd/certs.d 127.0.0.1:5000/zjm/probe:v1'
    )
    expect(hosts.pull.args).not.toContain('--plain-http')
    expect(hosts.overlays).toEqual([])
  })

  it('nerdctl and crictl pulls run as evaluated, split as the command module splits them', () => {
    const nerdctl = applyHarness(
      [],
      '/usr/local/bin/nerdctl -n k8s.io pull --quiet  127.0.0.1:5000/zjm/probe:v1'
    )
    expect(nerdctl.pull).toEqual({
      program: '/usr/local/bin/nerdctl',
      args: ['-n', 'k8s.io', 'pull', '--quiet', '127.0.0.1:5000/zjm/probe:v1']
    })
    expect(() => applyHarness([], '   ')).toThrow('empty line')
  })

  it('harness vars: the registry as a plain-HTTP mirror both ways, the sandbox from it, the node containerd', () => {
    expect(
      harnessVars({ registry: '127.0.0.1:5000', sandboxImage: '127.0.0.1:5000/zjm/pause:v1' }, '1.7.24')
    ).toEqual({
      containerd_version: '1.7.24',
      pod_infra_image_repo: '127.0.0.1:5000/zjm/pause',
      pod_infra_image_tag: 'v1',
      containerd_registries_mirrors: [
        {
          prefix: '127.0.0.1:5000',
          mirrors: [{ host: 'http://127.0.0.1:5000', capabilities: ['pull', 'resolve'], skip_verify: true }]
        }
      ],
      containerd_registries: { '127.0.0.1:5000': 'http://127.0.0.1:5000' }
    })
  })
})

describe('setKey', () => {
  it('adds a missing table at the end', () => {
    expect(setKey('a = 1\n', 'plugins."x.y"', 'k', 'true')).toBe('a = 1\n\n[plugins."x.y"]\n  k = true\n')
  })

  it('matches headers by their path, whatever the spacing and quoting', () => {
    expect(tablePath('plugins."io.containerd.grpc.v1.cri".containerd')).toEqual([
      'plugins',
      'io.containerd.grpc.v1.cri',
      'containerd'
    ])
    expect(setKey('[ plugins . "a.b" ]\nx = 1\n[other]\n', 'plugins."a.b"', 'x', '2')).toBe(
      '[ plugins . "a.b" ]\nx = 2\n[other]\n'
    )
  })
})

describe('shellSplit', () => {
  it('splits like the command module: quotes, escapes, runs of spaces', () => {
    expect(shellSplit(`a  'b c' "d \\"e\\"" f\\ g ''`)).toEqual(['a', 'b c', 'd "e"', 'f g', ''])
  })

  it('names an unterminated quote', () => {
    expect(() => shellSplit(`ctr pull 'x`)).toThrow(`unterminated ' quote in "ctr pull 'x"`)
  })
})

describe('lineDiff', () => {
  it('is empty for equal texts and shows separate hunks with context', () => {
    expect(lineDiff('a\n', 'a\n', { a: 'x', b: 'y' })).toBe('')
    const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].join('\n')
    const b = ['1', 'two', '3', '4', '5', '6', '7', '8', 'nine', '10'].join('\n')
    expect(lineDiff(a, b, { a: 'a', b: 'b' })).toBe(
      [
        '--- a',
        '+++ b',
        '@@ -1,4 +1,4 @@',
        ' 1',
        '-2',
        '+two',
        ' 3',
        ' 4',
        '@@ -7,4 +7,4 @@',
        ' 7',
        ' 8',
        '-9',
        '+nine',
        ' 10',
        ''
      ].join('\n')
    )
  })
})
