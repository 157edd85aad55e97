import { randomBytes } from 'node:crypto'
import { CONTAINERD_CONFIG, CONTAINERD_SOCKET, NERDCTL_CONFIG } from '../containerd/node-paths.js'
import { shellQuote } from '../exec/command.js'
import { SNAPSHOTTERS } from '../plan/axes.js'

/**
 * What doctor reads on a node. Every command only reads: files, /sys, the zfs and mount tables, the
 * journal, and containerd's and the CRI's APIs through their list calls. Nothing is written, started
 * or stopped; `--print-commands` shows exactly this list.
 */
export const CHECK_IDS = [
  'kernel',
  'zfs-module',
  'zfs-userland',
  'zfs-datasets',
  'mounts',
  'containerd-version',
  'containerd-config',
  'nerdctl-config',
  'plugins',
  'snapshots-overlayfs',
  'snapshots-zfs',
  'snapshots-native',
  'kernel-log',
  'containerd-journal',
  'kubelet-journal',
  'kubelet-files',
  'kubelet-service',
  'nginx-proxy'
] as const
export type CheckId = (typeof CHECK_IDS)[number]

export interface Check {
  readonly id: CheckId
  readonly what: string
  /** One shell line, run as root (through `sudo -n` when the login user is not root). */
  readonly shell: string
}

export const KUBELET_FILES = {
  caCrt: '/etc/kubernetes/ssl/ca.crt',
  kubeletConf: '/etc/kubernetes/kubelet.conf',
  nginxProxyManifest: '/etc/kubernetes/manifests/nginx-proxy.yml'
} as const
/** kubespray's image namespace for the CRI and its nerdctl.toml. */
const K8S_NAMESPACE = 'k8s.io'

const snapshotChecks: Check[] = SNAPSHOTTERS.map(s => ({
  id: `snapshots-${s}` as CheckId,
  what: `snapshots of the ${K8S_NAMESPACE} images in containerd's ${s} snapshotter`,
  shell: `ctr --address ${CONTAINERD_SOCKET} -n ${K8S_NAMESPACE} snapshots --snapshotter ${s} ls`
}))

export const CHECKS: readonly Check[] = [
  { id: 'kernel', what: "the kernel's release", shell: 'uname -r' },
  { id: 'zfs-module', what: 'the loaded OpenZFS module', shell: 'cat /sys/module/zfs/version' },
  { id: 'zfs-userland', what: 'the OpenZFS tools', shell: 'zfs version' },
  {
    id: 'zfs-datasets',
    what: 'ZFS datasets and where they are mounted',
    shell: 'zfs list -H -o name,mountpoint,mounted -t filesystem'
  },
  { id: 'mounts', what: 'the mount table', shell: 'findmnt -rn -o TARGET,FSTYPE,SOURCE' },
  { id: 'containerd-version', what: "containerd's version", shell: 'containerd --version' },
  { id: 'containerd-config', what: "containerd's config", shell: `cat ${CONTAINERD_CONFIG}` },
  { id: 'nerdctl-config', what: "nerdctl's config", shell: `cat ${NERDCTL_CONFIG}` },
  {
    id: 'plugins',
    what: "containerd's plugins and their status",
    shell: `ctr --address ${CONTAINERD_SOCKET} plugins ls`
  },
  ...snapshotChecks,
  {
    id: 'kernel-log',
    what: "the kernel's overlayfs lines",
    shell: "{ dmesg || journalctl -k -b --no-pager; } 2>/dev/null | grep -iE 'overlay|whiteout' | tail -n 40"
  },
  {
    id: 'containerd-journal',
    what: "containerd's journal since boot (its last lines)",
    shell: 'journalctl -u containerd -b --no-pager -o short -n 400'
  },
  {
    id: 'kubelet-journal',
    what: "kubelet's journal since boot (its last lines)",
    shell: 'journalctl -u kubelet -b --no-pager -o short -n 200'
  },
  {
    id: 'kubelet-files',
    what: "which of kubelet's files exist",
    shell: `for f in ${Object.values(KUBELET_FILES).join(' ')}; do if [ -e "$f" ]; then echo "present $f"; else echo "absent $f"; fi; done`
  },
  { id: 'kubelet-service', what: "kubelet's service state", shell: 'systemctl is-active kubelet' },
  {
    id: 'nginx-proxy',
    what: "the nginx-proxy container's state",
    shell: `crictl --runtime-endpoint unix://${CONTAINERD_SOCKET} ps -a --name nginx-proxy -o json`
  }
]

/** A node's answer to one check: its output (stdout and stderr, as the node printed them) and exit status. */
export interface CheckOutput {
  readonly output: string
  readonly exitCode: number
}

export type CheckOutputs = ReadonlyMap<CheckId, CheckOutput>

/** Each check may take this long on the node; a hung containerd must not hang the inspection. */
const CHECK_TIMEOUT_SECONDS = 20

/**
 * The script one ssh session runs. Each check's output is framed by a marker holding a random nonce,
 * so nothing a node prints can pass for a frame. Tools under /usr/local (where kubespray installs
 * containerd, ctr, nerdctl and crictl) and sbin come first in PATH, as on kubespray's nodes.
 */
export function inspectionScript(nonce: string = randomBytes(8).toString('hex')): {
  script: string
  nonce: string
} {
  const lines = [
    'export LC_ALL=C PATH="/usr/local/bin:/usr/local/sbin:/usr/sbin:/sbin:$PATH"',
    `if [ "$(id -u)" -eq 0 ]; then run() { timeout ${CHECK_TIMEOUT_SECONDS} sh -c "$1"; }; else run() { sudo -n timeout ${CHECK_TIMEOUT_SECONDS} sh -c "$1"; }; fi`,
    ...CHECKS.flatMap(c => [
      `printf '%s\\n' '${marker(nonce)} begin ${c.id}'`,
      `run ${shellQuote(c.shell)} </dev/null 2>&1; rc=$?`,
      `printf '\\n%s %s\\n' '${marker(nonce)} end ${c.id}' "$rc"`
    ])
  ]
  return { script: `${lines.join('\n')}\n`, nonce }
}

function marker(nonce: string): string {
  return `@@zjm-${nonce}`
}

/** The checks' outputs from the session's stdout; a check the session did not reach is absent. */
export function splitOutputs(stdout: string, nonce: string): CheckOutputs {
  const outputs = new Map<CheckId, CheckOutput>()
  const m = marker(nonce)
  const lines = stdout.split('\n')
  let current: { id: CheckId; lines: string[] } | null = null
  for (const line of lines) {
    if (current === null) {
      const begin = line.startsWith(`${m} begin `) ? line.slice(m.length + 7) : null
      const id = CHECK_IDS.find(c => c === begin)
      if (id !== undefined) current = { id, lines: [] }
      continue
    }
    const end = new RegExp(`^${m} end ${current.id} (\\d+)$`).exec(line)
    if (end === null) {
      current.lines.push(line)
      continue
    }
    // The end marker is printed after a newline of its own, so the output's last line break is not its.
    const text = current.lines.join('\n')
    outputs.set(current.id, {
      output: text.endsWith('\n') ? text.slice(0, -1) : text,
      exitCode: Number(end[1])
    })
    current = null
  }
  return outputs
}

/** What `--print-commands` prints: every command, in order, with what it reads. */
export function describeChecks(): string {
  return CHECKS.map(c => `# ${c.id}: ${c.what}\n${c.shell}`).join('\n')
}
