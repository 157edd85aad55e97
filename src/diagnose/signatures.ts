/**
 * The catalogue of known failure patterns, in the order of the join chain: the node's storage, then
 * getting images onto it, then the join. What causes what is EXPLAINS below, not this order: two
 * findings of different stages can be unrelated (a registry out of reach and overlayfs on OpenZFS 2.0).
 */
export interface Signature {
  readonly id: string
  /** Short code shown in the matrix cells. */
  readonly code: string
  readonly title: string
  /** Any one of these matching a log line is a match, unless one of `unless` matches it too. */
  readonly patterns: readonly RegExp[]
  /** Lines that look alike but mean something else (a near miss is never forced into a signature). */
  readonly unless?: readonly RegExp[]
  readonly symptom: string
  readonly rootCause: string
  readonly fix: string
  /** Kubespray variables the fix sets, for the report and annotations. */
  readonly kubesprayVariables: readonly string[]
}

const ZFS_FIX_VARIABLES = ['containerd_snapshotter', 'nerdctl_snapshotter'] as const

export const SIGNATURES = [
  {
    id: 'zfs-snapshotter-not-a-dataset',
    code: 'Z3',
    title: 'zfs snapshotter root is not on ZFS',
    patterns: [/must be a zfs filesystem to be used with the zfs snapshotter/, /snapshotter not loaded: zfs/],
    symptom: 'containerd skips the zfs snapshotter plugin; pulls fail with "snapshotter not loaded: zfs".',
    rootCause:
      "containerd's zfs snapshotter only loads when /var/lib/containerd/io.containerd.snapshotter.v1.zfs lies on a ZFS dataset (containerd checks the filesystem holding it and creates its datasets under that one); kubespray creates no dataset, so with /var/lib/containerd on ext4 or xfs the plugin is skipped.",
    fix: 'Create a dataset mounted there before containerd starts, e.g. `zfs create -o mountpoint=/var/lib/containerd/io.containerd.snapshotter.v1.zfs <pool>/containerd`, then restart containerd.',
    kubesprayVariables: ['containerd_snapshotter']
  },
  {
    id: 'overlayfs-mount-einval',
    code: 'Z1',
    title: 'overlayfs cannot mount with its upper dir on ZFS',
    patterns: [
      /overlayfs: upper fs missing required features/,
      /failed to mount \/tmp\/containerd-mount\d*: invalid argument/,
      /failed to mount rootfs component &\{overlay overlay.*invalid argument/
    ],
    symptom:
      'Every container fails to start: ctr "failed to mount /tmp/containerd-mount…: invalid argument", CRI "failed to mount rootfs component &{overlay overlay …}: invalid argument"; the kernel logs "upper fs does not support RENAME_WHITEOUT".',
    rootCause:
      "OpenZFS 2.0 lacks what overlayfs requires of an upper filesystem (the kernel names RENAME_WHITEOUT), so every overlay mount with its upper dir on ZFS fails, and containerd's default snapshotter is overlayfs.",
    fix: 'Set `containerd_snapshotter: zfs` (with its dataset) or `native`, and `nerdctl_snapshotter` to the same value; or move the node to OpenZFS ≥ 2.2.',
    kubesprayVariables: ZFS_FIX_VARIABLES
  },
  {
    id: 'overlayfs-rename-whiteout',
    code: 'Z2',
    title: 'renaming a lower-layer file fails on overlayfs over ZFS',
    patterns: [/can't rename '[^']*': Invalid argument/, /cannot move '[^']*' to '[^']*': Invalid argument/],
    symptom:
      'Containers start, but renaming or removing a file that comes from an image layer fails with "Invalid argument"; the kernel warns "upper fs does not support RENAME_WHITEOUT" on every mount.',
    rootCause:
      'OpenZFS 2.1 lets the overlay mount but cannot create the whiteout a rename of a lower-layer file needs. Fixed in OpenZFS 2.2.',
    fix: 'Set `containerd_snapshotter: zfs` (with its dataset) or `native`, and `nerdctl_snapshotter` to the same value; or move the node to OpenZFS ≥ 2.2.',
    kubesprayVariables: ZFS_FIX_VARIABLES
  },
  {
    id: 'cri-transfer-unpack-missing',
    code: 'S3',
    title: "containerd's transfer service cannot unpack for the CRI's snapshotter",
    patterns: [/unable to initialize unpacker: no unpack platforms defined/],
    symptom:
      'Every CRI pull fails (kubelet, crictl, the sandbox image): "failed to pull and unpack image …: unable to initialize unpacker: no unpack platforms defined"; containerd warns "Unpack configuration not supported, skipping … snapshotter=…".',
    rootCause:
      "containerd 2.1 and later pull CRI images through the transfer service, which unpacks only for the snapshotters listed in `[plugins.\"io.containerd.transfer.v1.local\"] unpack_config` (containerd's default, overlayfs, when none is listed). kubespray's config.toml.j2 sets the CRI's snapshotter but lists no unpack_config, so any `containerd_snapshotter` other than overlayfs cannot pull.",
    fix: 'Add the snapshotter to the transfer service through `containerd_extra_args`: `[[plugins."io.containerd.transfer.v1.local".unpack_config]]` with `platform = "linux/amd64"` and `snapshotter = "{{ containerd_snapshotter }}"`; or make the CRI pull locally (`use_local_image_pull = true` under `io.containerd.cri.v1.images`).',
    kubesprayVariables: ['containerd_extra_args', 'containerd_snapshotter']
  },
  {
    id: 'native-fifo-copy',
    code: 'S4',
    title: 'the native snapshotter cannot copy a named pipe of a lower layer',
    patterns: [/copying of parent failed: unsupported mode p/],
    symptom:
      'Pulls or container starts on the native snapshotter fail with "failed to prepare extraction snapshot …: copying of parent failed: unsupported mode prw-r--r--".',
    rootCause:
      "The native snapshotter has no copy-on-write: each new snapshot starts as a full copy of its parent, and the copy routine of the containerd in use refuses named pipes (FIFOs), so any image with a FIFO below its top layer cannot be unpacked. This is not a missing parent: the layers are where they should be. Which builds refuse depends on the copy library they were built with: measured on Debian's packages, containerd 1.4.13 (Debian 11) drops the pipe from the copy without a word and 1.6.20 (Debian 12) copies it; the refusal is from upstream builds between the two.",
    fix: 'Use `containerd_snapshotter: zfs` (with its dataset) instead of `native`, and `nerdctl_snapshotter` to the same value; or a containerd release whose native snapshotter copies FIFOs (`containerd_version`).',
    kubesprayVariables: ['containerd_snapshotter', 'nerdctl_snapshotter', 'containerd_version']
  },
  {
    id: 'pull-network-unreachable',
    code: 'N1',
    title: 'the node cannot reach the registry or download site',
    patterns: [
      // Go's resolver: the name is unknown, or no nameserver answers (a node without DNS asks 127.0.0.1:53).
      /dial tcp: lookup \S+( on \S+)?: (no such host|server misbehaving|i\/o timeout|Temporary failure in name resolution|(read|dial) udp \S+: (read: |connect: )?(connection refused|network is unreachable|i\/o timeout))/,
      /Temporary failure in name resolution/,
      /dial tcp \S+:(443|80|5000): (connect: (connection refused|no route to host|network is unreachable)|i\/o timeout)/,
      /net\/http: TLS handshake timeout/,
      /Client\.Timeout exceeded while awaiting headers/
    ],
    // The apiserver's port is the join's business, not the registry's.
    unless: [/:6443\b/],
    symptom:
      'Pulls and downloads fail before anything is unpacked: "dial tcp: lookup registry.k8s.io …: no such host", "Temporary failure in name resolution", "i/o timeout", "no route to host".',
    rootCause:
      'The node cannot resolve or reach the registry or the download site (DNS, a proxy, a firewall, no route out). No snapshotter is involved: nothing was downloaded, so nothing was unpacked.',
    fix: "Check the node's DNS and route to the registry (`getent hosts registry.k8s.io`, `curl -sI https://registry.k8s.io/v2/`); behind a proxy set `http_proxy`, `https_proxy` and `no_proxy`; air-gapped, point `containerd_registries_mirrors` at a reachable mirror.",
    kubesprayVariables: ['http_proxy', 'https_proxy', 'no_proxy', 'containerd_registries_mirrors']
  },
  {
    id: 'snapshot-missing-parent',
    code: 'S1',
    title: 'image unpacked into another snapshotter than the one in use',
    patterns: [/missing parent .*bucket: not found/],
    symptom: 'ctr/nerdctl: "failed to prepare extraction snapshot … missing parent … bucket: not found".',
    rootCause:
      "kubespray sets `containerd_snapshotter` only in the CRI section of containerd's config; nerdctl follows `nerdctl_snapshotter` (default overlayfs) and ctr its own default, so layers land in one snapshotter and are looked up in another.",
    fix: 'Set `nerdctl_snapshotter: "{{ containerd_snapshotter }}"`; if pulls use ctr, add `--snapshotter {{ containerd_snapshotter }}` to the pull command (`nerdctl_image_pull_command` override).',
    kubesprayVariables: ['nerdctl_snapshotter', 'nerdctl_image_pull_command']
  },
  {
    id: 'tool-snapshotter-mismatch',
    code: 'S2',
    title: 'the image tool and the CRI use different snapshotters',
    patterns: [/unpacked for snapshotter \S+ but the CRI uses \S+/],
    symptom:
      'The pull succeeds, but the image is unpacked for a snapshotter kubelet does not use; the CRI must unpack it again, or fails to find it.',
    rootCause:
      'nerdctl and ctr do not follow `containerd_snapshotter`: nerdctl reads `nerdctl_snapshotter` (default overlayfs), ctr pulls without `--snapshotter`.',
    fix: 'Set `nerdctl_snapshotter: "{{ containerd_snapshotter }}"` and pass `--snapshotter {{ containerd_snapshotter }}` in ctr pull commands.',
    kubesprayVariables: ['nerdctl_snapshotter', 'nerdctl_image_pull_command']
  },
  {
    id: 'nginx-proxy-not-running',
    code: 'J1',
    title: 'the nginx-proxy static pod never starts on the worker',
    patterns: [
      /nginx-proxy.*(ErrImagePull|ImagePullBackOff|CreateContainerError|RunContainerError|CrashLoopBackOff)/,
      /no running nginx-proxy container/
    ],
    symptom:
      'kubelet cannot start the nginx-proxy static pod; nothing listens on localhost:6443 on the worker.',
    rootCause:
      'Workers reach the apiserver through nginx-proxy (`loadbalancer_apiserver_localhost`); its image was pulled or unpacked with a snapshotter that cannot run it.',
    fix: "Fix the snapshotter first (see the Z and S signatures); check `crictl ps -a --name nginx-proxy` and kubelet's journal on the worker.",
    kubesprayVariables: ['containerd_snapshotter', 'nerdctl_snapshotter']
  },
  {
    id: 'apiserver-localhost-refused',
    code: 'J2',
    title: 'kubeadm join refused on 127.0.0.1:6443',
    patterns: [/dial tcp (127\.0\.0\.1|\[::1\]|localhost):6443: connect: connection refused/],
    symptom:
      '`kubeadm join` fails fetching kubeadm-config: "dial tcp 127.0.0.1:6443: connect: connection refused".',
    rootCause: 'nginx-proxy is not running on the worker, so the local apiserver endpoint is closed.',
    fix: 'Make nginx-proxy start (see J1); the join itself needs no change.',
    kubesprayVariables: ['loadbalancer_apiserver_localhost']
  },
  {
    id: 'kubelet-client-ca-missing',
    code: 'J3',
    title: 'kubelet fails on a missing /etc/kubernetes/ssl/ca.crt',
    patterns: [/unable to load client CA file \/etc\/kubernetes\/ssl\/ca\.crt/],
    symptom:
      'After a failed join, kubelet restarts in a loop: "unable to load client CA file /etc/kubernetes/ssl/ca.crt".',
    rootCause:
      'The failed join left kubelet configured (clientCAFile) without the certificates kubeadm join would have written; running scale.yml again does not repair it.',
    fix: 'Run `reset.yml --limit <node>` before `scale.yml` again, after fixing the snapshotter.',
    kubesprayVariables: []
  }
] as const satisfies readonly Signature[]

export type SignatureId = (typeof SIGNATURES)[number]['id']

/** What the join can no longer do once anything earlier in the chain failed. */
const JOIN_CHAIN = [
  'nginx-proxy-not-running',
  'apiserver-localhost-refused',
  'kubelet-client-ca-missing'
] as const

/**
 * What each signature directly causes when it happens on a joining node. A node or image failure stops
 * the nginx-proxy static pod (its image cannot be pulled, unpacked or run), a missing nginx-proxy closes
 * 127.0.0.1:6443, and the refused join leaves kubelet without its CA. Nothing here causes a node or
 * image failure: a snapshotter mismatch does not make a registry unreachable, nor the other way round,
 * so such findings are each a root cause of their own.
 */
export const EXPLAINS: Readonly<Record<SignatureId, readonly SignatureId[]>> = {
  'zfs-snapshotter-not-a-dataset': JOIN_CHAIN,
  'overlayfs-mount-einval': JOIN_CHAIN,
  'overlayfs-rename-whiteout': JOIN_CHAIN,
  'cri-transfer-unpack-missing': JOIN_CHAIN,
  'native-fifo-copy': JOIN_CHAIN,
  'pull-network-unreachable': JOIN_CHAIN,
  'snapshot-missing-parent': JOIN_CHAIN,
  'tool-snapshotter-mismatch': JOIN_CHAIN,
  'nginx-proxy-not-running': ['apiserver-localhost-refused', 'kubelet-client-ca-missing'],
  'apiserver-localhost-refused': ['kubelet-client-ca-missing'],
  'kubelet-client-ca-missing': []
}

/** The id given to a failure no catalogue entry explains. */
export const UNKNOWN_SIGNATURE: Signature = {
  id: 'unknown',
  code: '?',
  title: 'unrecognised failure',
  patterns: [],
  symptom: 'The cell failed with a message no known signature matches.',
  rootCause: "Not diagnosed: read the log lines quoted and the cell's logs.",
  fix: 'If this is a new ZFS/containerd failure, add a signature to src/diagnose/signatures.ts with a test on the log excerpt.',
  kubesprayVariables: []
}

/** Whether `line` is evidence of `signature`: one of its patterns matches and none of its near misses. */
export function matchesLine(signature: Signature, line: string): boolean {
  return signature.patterns.some(p => p.test(line)) && !(signature.unless ?? []).some(p => p.test(line))
}

export function findSignature(id: string): Signature | undefined {
  if (id === UNKNOWN_SIGNATURE.id) return UNKNOWN_SIGNATURE
  return SIGNATURES.find(s => s.id === id)
}
