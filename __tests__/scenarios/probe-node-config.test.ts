import { describe, expect, it } from '@jest/globals'
import { parse as parseToml } from 'smol-toml'
import { parse as parseYaml } from 'yaml'
import { SNAPSHOTTERS, VARIANTS, type Snapshotter, type Variant } from '../../src/plan/axes.js'
import { CONTAINERD_CONFIG, NERDCTL_CONFIG } from '../../src/containerd/node-paths.js'
import { containerdSeries, type ContainerdSeries } from '../../src/containerd/release-series.js'
import {
  CRICTL_CONFIG,
  nerdctlSnapshotter,
  renderNodeFiles,
  type NodeFile
} from '../../src/scenarios/probe/node-config.js'
import { REGISTRY_ADDRESS } from '../../src/containerd/registry-layout.js'

const SANDBOX = `${REGISTRY_ADDRESS}/zjm/pause:3.9`
const HOSTS_TOML = `/etc/containerd/certs.d/${REGISTRY_ADDRESS}/hosts.toml`
const SOCKET = 'unix:///var/run/containerd/containerd.sock'

/** The containerd series the Debian images ship: 1.4 (bullseye), 1.6 (bookworm), 1.7, 2.x (trixie on). */
const SERIES: Record<string, ContainerdSeries> = {
  '1.4': { major: 1, minor: 4 },
  '1.6': { major: 1, minor: 6 },
  '1.7': { major: 1, minor: 7 },
  '2.0': { major: 2, minor: 0 },
  '2.1': { major: 2, minor: 1 }
}

type Toml = Record<string, unknown>

function render(series: string, snapshotter: Snapshotter, variant: Variant): NodeFile[] {
  return renderNodeFiles({
    containerd: SERIES[series]!,
    snapshotter,
    variant,
    registry: REGISTRY_ADDRESS,
    sandboxImage: SANDBOX
  })
}

function file(files: readonly NodeFile[], path: string): string {
  const found = files.find(f => f.path === path)
  if (found === undefined) throw new Error(`no ${path} among ${files.map(f => f.path).join(', ')}`)
  return found.content
}

/** Walks a parsed TOML document by keys; throws naming the missing key rather than returning undefined. */
function at(doc: Toml, ...keys: string[]): unknown {
  let here: unknown = doc
  for (const [i, key] of keys.entries()) {
    if (typeof here !== 'object' || here === null || !(key in here)) {
      throw new Error(`no key ${keys.slice(0, i + 1).join(' → ')}`)
    }
    here = (here as Toml)[key]
  }
  return here
}

const CRI_V2 = 'io.containerd.grpc.v1.cri'
const CRI_IMAGES = 'io.containerd.cri.v1.images'
const CRI_RUNTIME = 'io.containerd.cri.v1.runtime'

describe('containerdSeries', () => {
  it.each([
    ['1.6.20~ds1-1+deb12u3', { major: 1, minor: 6 }],
    ['1.4.13~ds1-1~deb11u4', { major: 1, minor: 4 }],
    ['1:2.0.1-1', { major: 2, minor: 0 }],
    ['1.7.24~ds1-6+b4', { major: 1, minor: 7 }],
    ['2.1.4~ds1-1', { major: 2, minor: 1 }]
  ])('%s → %j', (version, series) => {
    expect(containerdSeries(version)).toEqual(series)
  })

  it.each(['', 'garbage', 'v1.6.20', '(none)', '1', ':1.6'])('%j → undefined', version => {
    expect(containerdSeries(version)).toBeUndefined()
  })
})

describe('renderNodeFiles', () => {
  const cases = Object.keys(SERIES).flatMap(series =>
    SNAPSHOTTERS.flatMap(snapshotter => VARIANTS.map(variant => [series, snapshotter, variant] as const))
  )

  it.each(cases)('containerd %s, %s, %s: every file parses', (series, snapshotter, variant) => {
    const files = render(series, snapshotter, variant)
    for (const f of files) {
      if (f.path.endsWith('.toml')) expect(() => parseToml(f.content)).not.toThrow()
      else expect(() => parseYaml(f.content) as unknown).not.toThrow()
      expect(f.content.endsWith('\n')).toBe(true)
    }
    expect(new Set(files.map(f => f.path)).size).toBe(files.length)
  })

  it.each(cases)(
    'containerd %s, %s, %s: the CRI uses the cell snapshotter, nerdctl the variant one',
    (series, snapshotter, variant) => {
      const files = render(series, snapshotter, variant)
      const config = parseToml(file(files, CONTAINERD_CONFIG))
      if (SERIES[series]!.major >= 2) {
        expect(at(config, 'version')).toBe(3)
        expect(at(config, 'plugins', CRI_IMAGES, 'snapshotter')).toBe(snapshotter)
        expect(at(config, 'plugins', CRI_IMAGES, 'pinned_images', 'sandbox')).toBe(SANDBOX)
        expect(at(config, 'plugins', CRI_RUNTIME, 'disable_apparmor')).toBe(true)
        // The version-2 CRI section would be ignored by containerd 2 (or migrated): it must not be there.
        expect(at(config, 'plugins')).not.toHaveProperty([CRI_V2])
      } else {
        expect(at(config, 'version')).toBe(2)
        expect(at(config, 'plugins', CRI_V2, 'containerd', 'snapshotter')).toBe(snapshotter)
        expect(at(config, 'plugins', CRI_V2, 'sandbox_image')).toBe(SANDBOX)
        expect(at(config, 'plugins', CRI_V2, 'disable_apparmor')).toBe(true)
        expect(at(config, 'plugins', CRI_V2, 'containerd', 'runtimes', 'runc', 'runtime_type')).toBe(
          'io.containerd.runc.v2'
        )
      }
      // kubespray puts containerd_snapshotter in the CRI section only: no top-level default snapshotter.
      expect(config).not.toHaveProperty('snapshotter')
      expect(at(config, 'root')).toBe('/var/lib/containerd')

      const nerdctl = parseToml(file(files, NERDCTL_CONFIG))
      expect(nerdctl.snapshotter).toBe(variant === 'fixed' ? snapshotter : 'overlayfs')
      expect(nerdctl.snapshotter).toBe(nerdctlSnapshotter({ snapshotter, variant }))
      expect(nerdctl.namespace).toBe('k8s.io')
      expect(nerdctl.hosts_dir).toEqual(['/etc/containerd/certs.d'])
      expect(nerdctl.address).toBe(SOCKET)

      expect(parseYaml(file(files, CRICTL_CONFIG))).toEqual({
        'runtime-endpoint': SOCKET,
        'image-endpoint': SOCKET,
        timeout: 30,
        debug: false
      })
    }
  )

  it('the kubespray variant leaves nerdctl on overlayfs even when the cell is zfs or native', () => {
    for (const snapshotter of ['zfs', 'native'] as const) {
      const nerdctl = parseToml(file(render('1.6', snapshotter, 'kubespray'), NERDCTL_CONFIG))
      expect(nerdctl.snapshotter).toBe('overlayfs')
      const fixed = parseToml(file(render('1.6', snapshotter, 'fixed'), NERDCTL_CONFIG))
      expect(fixed.snapshotter).toBe(snapshotter)
    }
  })

  it('containerd 1.4: no certs.d, the registry is a plain-HTTP mirror in config.toml', () => {
    const files = render('1.4', 'zfs', 'kubespray')
    expect(files.map(f => f.path)).toEqual([CONTAINERD_CONFIG, NERDCTL_CONFIG, CRICTL_CONFIG])
    const config = parseToml(file(files, CONTAINERD_CONFIG))
    expect(at(config, 'plugins', CRI_V2, 'registry')).toEqual({
      mirrors: { [REGISTRY_ADDRESS]: { endpoint: [`http://${REGISTRY_ADDRESS}`] } }
    })
  })

  it.each(['1.6', '1.7'])('containerd %s: hosts.toml in certs.d, config_path in config.toml', series => {
    const files = render(series, 'native', 'fixed')
    expect(files.map(f => f.path)).toEqual([CONTAINERD_CONFIG, HOSTS_TOML, NERDCTL_CONFIG, CRICTL_CONFIG])
    const config = parseToml(file(files, CONTAINERD_CONFIG))
    expect(at(config, 'plugins', CRI_V2, 'registry')).toEqual({ config_path: '/etc/containerd/certs.d' })
    const hosts = parseToml(file(files, HOSTS_TOML))
    expect(hosts.server).toBe(`http://${REGISTRY_ADDRESS}`)
    expect(at(hosts, 'host', `http://${REGISTRY_ADDRESS}`, 'capabilities')).toEqual(['pull', 'resolve'])
  })

  it.each(['2.0', '2.1'])('containerd %s: version 3 with the registry under cri.v1.images', series => {
    const files = render(series, 'zfs', 'kubespray')
    expect(files.map(f => f.path)).toEqual([CONTAINERD_CONFIG, HOSTS_TOML, NERDCTL_CONFIG, CRICTL_CONFIG])
    const config = parseToml(file(files, CONTAINERD_CONFIG))
    expect(at(config, 'plugins', CRI_IMAGES)).toEqual({
      snapshotter: 'zfs',
      pinned_images: { sandbox: SANDBOX },
      registry: { config_path: '/etc/containerd/certs.d' }
    })
    expect(at(config, 'plugins', CRI_RUNTIME, 'containerd', 'runtimes', 'runc', 'runtime_type')).toBe(
      'io.containerd.runc.v2'
    )
    expect(parseToml(file(files, HOSTS_TOML)).server).toBe(`http://${REGISTRY_ADDRESS}`)
  })

  it('the registry address is the one given, in every place that names it', () => {
    const registry = '10.0.2.2:5999'
    const files = renderNodeFiles({
      containerd: SERIES['1.6']!,
      snapshotter: 'overlayfs',
      variant: 'kubespray',
      registry,
      sandboxImage: SANDBOX
    })
    const hosts = parseToml(file(files, `/etc/containerd/certs.d/${registry}/hosts.toml`))
    expect(hosts.server).toBe(`http://${registry}`)
    const old = renderNodeFiles({
      containerd: SERIES['1.4']!,
      snapshotter: 'overlayfs',
      variant: 'kubespray',
      registry,
      sandboxImage: SANDBOX
    })
    expect(at(parseToml(file(old, CONTAINERD_CONFIG)), 'plugins', CRI_V2, 'registry', 'mirrors')).toEqual({
      [registry]: { endpoint: [`http://${registry}`] }
    })
  })
})
