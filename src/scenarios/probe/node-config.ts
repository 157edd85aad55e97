import { CONTAINERD_CONFIG, NERDCTL_CONFIG } from '../../containerd/node-paths.js'
import type { ContainerdSeries } from '../../containerd/release-series.js'
import type { Snapshotter, Variant } from '../../plan/axes.js'

/** A file the probe writes on the node before starting containerd. */
export interface NodeFile {
  readonly path: string
  readonly content: string
}

export interface NodeConfigInput {
  readonly containerd: ContainerdSeries
  readonly snapshotter: Snapshotter
  readonly variant: Variant
  /** host:port of the test registry (plain HTTP on the node's loopback). */
  readonly registry: string
  /** The CRI's sandbox ("pause") image reference. */
  readonly sandboxImage: string
}

export const CRICTL_CONFIG = '/etc/crictl.yaml'
const CERTS_DIR = '/etc/containerd/certs.d'

/**
 * nerdctl's snapshotter: kubespray renders `nerdctl_snapshotter | default('overlayfs')`, never tied to
 * `containerd_snapshotter`; the fixed variant sets it to the cell's snapshotter.
 */
export function nerdctlSnapshotter(input: Pick<NodeConfigInput, 'snapshotter' | 'variant'>): Snapshotter {
  return input.variant === 'fixed' ? input.snapshotter : 'overlayfs'
}

/**
 * The files kubespray's containerd and nerdctl roles write, rendered for this cell. Only what decides
 * which snapshotter each tool uses, and what reaches the test registry, differs from kubespray's
 * defaults; the rest is kept to their values so containerd behaves as on a kubespray node.
 */
export function renderNodeFiles(input: NodeConfigInput): NodeFile[] {
  return [
    { path: CONTAINERD_CONFIG, content: renderContainerdConfig(input) },
    ...(supportsConfigPath(input.containerd)
      ? [{ path: `${CERTS_DIR}/${input.registry}/hosts.toml`, content: renderHostsToml(input.registry) }]
      : []),
    { path: NERDCTL_CONFIG, content: renderNerdctlToml(input) },
    { path: CRICTL_CONFIG, content: CRICTL_YAML }
  ]
}

/** `registry.config_path` (certs.d) arrived in containerd 1.5; 1.4 only knows `registry.mirrors`. */
function supportsConfigPath(c: ContainerdSeries): boolean {
  return c.major > 1 || c.minor >= 5
}

/**
 * containerd < 2.0: kubespray's `config-v1.toml.j2`, where `containerd_snapshotter` lands in the CRI
 * section only. containerd ≥ 2.0: `config.toml.j2`, under `io.containerd.cri.v1.images`.
 */
export function renderContainerdConfig(input: NodeConfigInput): string {
  return input.containerd.major >= 2 ? renderV3(input) : renderV2(input)
}

const HEADER = `root = "/var/lib/containerd"
state = "/run/containerd"
oom_score = 0

[grpc]
  max_recv_message_size = 16777216
  max_send_message_size = 16777216

[debug]
  level = "info"
`

// The probe nodes have no AppArmor profiles (minbase images without the apparmor package), and
// containerd 1.4 refuses to start containers with AppArmor enabled but unusable (seen on Debian 11).
// There is no kubelet, so the runtime uses cgroupfs rather than kubespray's systemd driver.
function renderV2(input: NodeConfigInput): string {
  const cri = '[plugins."io.containerd.grpc.v1.cri"'
  const registry = supportsConfigPath(input.containerd)
    ? `    ${cri}.registry]
      config_path = "${CERTS_DIR}"
`
    : `    ${cri}.registry.mirrors."${input.registry}"]
      endpoint = ["http://${input.registry}"]
`
  return `# Rendered like kubespray's config-v1.toml.j2 (containerd < 2.0) by zfs-join-matrix
version = 2

${HEADER}
[plugins]
  ${cri}]
    sandbox_image = "${input.sandboxImage}"
    max_container_log_line_size = 16384
    disable_apparmor = true
    ${cri}.containerd]
      default_runtime_name = "runc"
      snapshotter = "${input.snapshotter}"
      discard_unpacked_layers = true
      ${cri}.containerd.runtimes]
        ${cri}.containerd.runtimes.runc]
          runtime_type = "io.containerd.runc.v2"
          ${cri}.containerd.runtimes.runc.options]
            SystemdCgroup = false
${registry}`
}

function renderV3(input: NodeConfigInput): string {
  return `# Rendered like kubespray's config.toml.j2 (containerd >= 2.0) by zfs-join-matrix
version = 3

${HEADER}
[plugins]
  [plugins."io.containerd.cri.v1.runtime"]
    max_container_log_line_size = 16384
    disable_apparmor = true
    [plugins."io.containerd.cri.v1.runtime".containerd]
      default_runtime_name = "runc"
      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
          SystemdCgroup = false

  [plugins."io.containerd.cri.v1.images"]
    snapshotter = "${input.snapshotter}"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = "${input.sandboxImage}"
  [plugins."io.containerd.cri.v1.images".registry]
    config_path = "${CERTS_DIR}"
${input.variant === 'fixed' ? transferUnpack(input.snapshotter) : ''}`
}

/**
 * The fix's part for containerd ≥ 2.1, whose transfer service (which CRI pulls go through) unpacks
 * only for the snapshotters it lists; the fixed variant lists the cell's.
 */
function transferUnpack(snapshotter: Snapshotter): string {
  return `
[[plugins."io.containerd.transfer.v1.local".unpack_config]]
  platform = "linux/amd64"
  snapshotter = "${snapshotter}"
`
}

/** kubespray's `hosts.toml.j2` for a registry served over plain HTTP. */
function renderHostsToml(registry: string): string {
  return `server = "http://${registry}"

[host."http://${registry}"]
  capabilities = ["pull", "resolve"]
  skip_verify = true
  override_path = false
`
}

/** kubespray's `nerdctl.toml.j2`. */
function renderNerdctlToml(input: NodeConfigInput): string {
  return `debug             = false
debug_full        = false
address           = "unix:///var/run/containerd/containerd.sock"
namespace         = "k8s.io"
snapshotter       = "${nerdctlSnapshotter(input)}"
cni_path          = "/opt/cni/bin"
cni_netconfpath   = "/etc/cni/net.d"
cgroup_manager    = "cgroupfs"
hosts_dir         = ["${CERTS_DIR}"]
`
}

/** kubespray's `crictl.yaml.j2`. */
const CRICTL_YAML = `runtime-endpoint: unix:///var/run/containerd/containerd.sock
image-endpoint: unix:///var/run/containerd/containerd.sock
timeout: 30
debug: false
`
