import { readToml, valueAt } from '../containerd/toml-edit.js'

/** containerd's default snapshotter on Linux, for the CRI, nerdctl and ctr alike. */
export const DEFAULT_SNAPSHOTTER = 'overlayfs'

export type ConfigReading<T> =
  | { readonly kind: 'absent' }
  | { readonly kind: 'invalid'; readonly reason: string }
  | ({ readonly kind: 'read' } & T)

export interface ContainerdSettings {
  /** The config's `version` (1 when it names none, as containerd reads it). */
  readonly version: number
  /** The snapshotter the CRI (kubelet, crictl) uses, and the key it came from. */
  readonly criSnapshotter: string
  readonly criKey: string
  /** Snapshotters the transfer service unpacks for (containerd 2.1+ pulls CRI images through it). */
  readonly unpackSnapshotters: readonly string[]
  /** `use_local_image_pull`: the CRI pulls without the transfer service (containerd 2.1+). */
  readonly localImagePull: boolean
}

/** Where each config version keeps the CRI's snapshotter: the per-runtime key overrides the section's. */
const CRI_SECTIONS: Readonly<Record<number, { section: string[]; runtimes: string[] }>> = {
  1: { section: ['plugins', 'cri', 'containerd'], runtimes: ['plugins', 'cri', 'containerd', 'runtimes'] },
  2: {
    section: ['plugins', 'io.containerd.grpc.v1.cri', 'containerd'],
    runtimes: ['plugins', 'io.containerd.grpc.v1.cri', 'containerd', 'runtimes']
  },
  3: {
    section: ['plugins', 'io.containerd.cri.v1.images'],
    runtimes: ['plugins', 'io.containerd.cri.v1.runtime', 'containerd', 'runtimes']
  }
}

/**
 * The CRI's snapshotter as containerd reads `config.toml` of version 1, 2 or 3. A file that is absent
 * or is not TOML says so; containerd's defaults then apply, and the caller reports which.
 */
export function readContainerdConfig(text: string | undefined): ConfigReading<ContainerdSettings> {
  if (text === undefined) return { kind: 'absent' }
  const toml = readToml(text)
  if (toml.kind === 'invalid') return { kind: 'invalid', reason: toml.reason }
  const doc = toml.value
  const version = typeof doc.version === 'number' || typeof doc.version === 'bigint' ? Number(doc.version) : 1
  const where = CRI_SECTIONS[version]
  if (where === undefined) return { kind: 'invalid', reason: `version = ${version} is not 1, 2 or 3` }
  const defaultRuntime = valueAt(doc, [...where.runtimes.slice(0, -1), 'default_runtime_name'])
  const runtime = typeof defaultRuntime === 'string' ? defaultRuntime : 'runc'
  const perRuntime = valueAt(doc, [...where.runtimes, runtime, 'snapshotter'])
  const section = valueAt(doc, [...where.section, 'snapshotter'])
  const [criSnapshotter, criKey] =
    typeof perRuntime === 'string' && perRuntime !== ''
      ? [perRuntime, [...where.runtimes, runtime, 'snapshotter'].join('.')]
      : typeof section === 'string' && section !== ''
        ? [section, [...where.section, 'snapshotter'].join('.')]
        : [DEFAULT_SNAPSHOTTER, `(unset: containerd's default)`]
  const unpack = valueAt(doc, ['plugins', 'io.containerd.transfer.v1.local', 'unpack_config'])
  const unpackSnapshotters = Array.isArray(unpack)
    ? unpack.flatMap(u => {
        const s = (u as Record<string, unknown>).snapshotter
        return typeof s === 'string' ? [s] : []
      })
    : []
  const localImagePull =
    valueAt(doc, ['plugins', 'io.containerd.cri.v1.images', 'use_local_image_pull']) === true
  return { kind: 'read', version, criSnapshotter, criKey, unpackSnapshotters, localImagePull }
}

export interface NerdctlSettings {
  readonly snapshotter: string
  /** Whether the file names the snapshotter, or nerdctl's default applies. */
  readonly snapshotterSet: boolean
  readonly namespace: string
}

export function readNerdctlConfig(text: string | undefined): ConfigReading<NerdctlSettings> {
  if (text === undefined) return { kind: 'absent' }
  const toml = readToml(text)
  if (toml.kind === 'invalid') return { kind: 'invalid', reason: toml.reason }
  const s = toml.value.snapshotter
  const ns = toml.value.namespace
  return {
    kind: 'read',
    snapshotter: typeof s === 'string' && s !== '' ? s : DEFAULT_SNAPSHOTTER,
    snapshotterSet: typeof s === 'string' && s !== '',
    namespace: typeof ns === 'string' && ns !== '' ? ns : 'default'
  }
}
