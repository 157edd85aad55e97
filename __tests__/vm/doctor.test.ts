/**
 * `zfs-join-matrix doctor` against real nodes of the project's images, put into the states users' nodes
 * are found in, through the bundled CLI and real ssh (HOST arguments for one node, a kubespray-style
 * INI inventory resolved by the real ansible-inventory for the other). Each state must give its
 * prediction, and a checksum listing of /etc and of containerd's metadata taken before and after each
 * inspection must not change: doctor only reads.
 *
 * The same nodes give real tools' failures as users paste them (a pull with no route out, an image whose
 * lower layer holds a named pipe on the native snapshotter), kept under build/captured-logs and named by
 * diagnose.
 *
 * nerdctl cannot be obtained here (its releases are on GitHub), so "images pulled by nerdctl as
 * kubespray configures it" is made by ctr pulling without --snapshotter, which unpacks into overlayfs
 * exactly as that nerdctl would; what doctor reads (nerdctl.toml, the k8s.io snapshots per
 * snapshotter) is the same.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { CleanupLedger, sweep } from '../../src/cleanup/ledger.js'
import { cmd } from '../../src/exec/command.js'
import { processExecutor } from '../../src/exec/executor.js'
import type { HostContext } from '../../src/host/context.js'
import { findImage } from '../../src/images/catalogue.js'
import type { Log } from '../../src/log/log.js'
import type { Snapshotter, Variant } from '../../src/plan/axes.js'
import type { Node } from '../../src/providers/provider.js'
import { ZFS_SNAPSHOTTER_DATASET } from '../../src/providers/qemu/guest-scripts.js'
import { DEFAULT_QEMU_OPTIONS, QemuProvider } from '../../src/providers/qemu/qemu-provider.js'
import { containerdSeries } from '../../src/containerd/release-series.js'
import { renderNodeFiles } from '../../src/scenarios/probe/node-config.js'
import { startTestRegistry } from '../../src/scenarios/probe/prepare-node.js'
import { imageReference, REGISTRY_ADDRESS } from '../../src/containerd/registry-layout.js'
import { imageOfLayers, ociLayoutArchive } from '../../src/containerd/test-image.js'
import { action, runnerEnv } from '../e2e/runner.js'
import { IMAGE_CACHE, MIRROR, collectingLog, vmTestsEnabled } from './vm-env.js'

const describeVm = vmTestsEnabled() ? describe : describe.skip
const MINUTE = 60_000
const ZFS_ROOT = '/var/lib/containerd/io.containerd.snapshotter.v1.zfs'
const root = resolve(import.meta.dirname, '../..')
/** Where this run's captures of real tools' failures are kept (build/ is the project's scratch). */
const CAPTURES = join(root, 'build/captured-logs')

const lines: string[] = []
const log: Log = collectingLog(lines)

async function sh(node: Node, script: string): Promise<string> {
  const r = await node.exec({ ...cmd('sh', '-s'), input: script }, { timeoutMs: 5 * MINUTE })
  if (r.exitCode !== 0) throw new Error(`guest script failed (${r.exitCode}): ${r.stderr}${r.stdout}`)
  return r.stdout
}

/** What doctor must not change: every file under /etc, and containerd's metadata and layout. */
const LISTING = [
  'find /etc -xdev -type f -print0 | sort -z | xargs -0 sha256sum',
  'find /etc -xdev ! -type f -printf "%p %y %l\\n" | sort',
  'sha256sum /var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db 2>/dev/null || true',
  'find /var/lib/containerd -maxdepth 3 -printf "%p %y %s %T@\\n" | sort'
].join('\n')

interface JsonNode {
  readonly name: string
  readonly inspected: boolean
  readonly problem?: string
  readonly predictions?: readonly { id: string; explainedBy: string | null; because: string[] }[]
  readonly snapshotters?: { cri: string; nerdctl: string }
  readonly unknowns?: readonly string[]
}

interface JsonDiagnosis {
  readonly logs: readonly { kind: string }[]
  readonly findings: readonly { id: string; role: string; evidence: readonly { text: string }[] }[]
}

function diagnose(files: readonly string[]): { status: number | null; result: JsonDiagnosis } {
  const r = spawnSync('node', [join(root, 'dist/cli/index.js'), 'diagnose', '--format', 'json', ...files], {
    encoding: 'utf8',
    timeout: MINUTE
  })
  try {
    return { status: r.status, result: JSON.parse(r.stdout) as JsonDiagnosis }
  } catch {
    throw new Error(`diagnose printed no JSON (exit ${r.status}): ${r.stderr}${r.stdout}`)
  }
}

/** Keeps a real tool's output under build/ (the committed fixtures are copied from there). */
function writeCapture(name: string, text: string): string {
  const path = join(CAPTURES, name)
  writeFileSync(path, text)
  return path
}

function doctor(args: readonly string[]): {
  status: number | null
  nodes: JsonNode[]
  stderr: string
  stdout: string
} {
  const r = spawnSync('node', [join(root, 'dist/cli/index.js'), 'doctor', '--format', 'json', ...args], {
    encoding: 'utf8',
    timeout: 10 * MINUTE
  })
  let nodes: JsonNode[] = []
  try {
    nodes = (JSON.parse(r.stdout) as { nodes: JsonNode[] }).nodes
  } catch {
    throw new Error(`doctor printed no JSON (exit ${r.status}): ${r.stderr}${r.stdout}`)
  }
  return { status: r.status, nodes, stderr: r.stderr, stdout: r.stdout }
}

describeVm('doctor on real nodes', () => {
  // Made in beforeAll: a skipped describe still runs its body, and would leave the dir behind.
  let workDir = ''
  let ctx: HostContext & { ledger: CleanupLedger }
  let provider: QemuProvider | undefined
  const nodes: Partial<Record<'bullseye' | 'bookworm', Node>> = {}
  let probeImage = ''
  let hostArgs: (node: Node) => string[] = () => []

  /** Writes kubespray's files for this snapshotter and variant and (re)starts containerd on them. */
  async function configure(node: Node, snapshotter: Snapshotter, variant: Variant): Promise<void> {
    const facts = await node.facts()
    const files = renderNodeFiles({
      containerd: containerdSeries(facts.containerd ?? '')!,
      snapshotter,
      variant,
      registry: REGISTRY_ADDRESS,
      sandboxImage: probeImage
    })
    const script = files.map(
      f => `mkdir -p "$(dirname ${f.path})"\ncat > ${f.path} <<'ZJM_EOF'\n${f.content}\nZJM_EOF`
    )
    await sh(
      node,
      [
        'set -eu',
        ...script,
        'systemctl restart containerd',
        'i=0; until ctr version >/dev/null 2>&1; do i=$((i+1)); [ $i -lt 100 ] || exit 1; sleep 0.2; done'
      ].join('\n')
    )
  }

  /**
   * The listing once containerd has settled: after a pull it writes its metadata again by itself (the
   * pull's lease is removed and its garbage collector runs a moment later), which is not doctor's doing.
   */
  async function settledListing(node: Node): Promise<string> {
    let last = await sh(node, LISTING)
    for (let i = 0; i < 20; i++) {
      await new Promise(r => setTimeout(r, 3000))
      const now = await sh(node, LISTING)
      if (now === last) return now
      last = now
    }
    throw new Error('the node kept changing its /etc or containerd metadata for a minute without doctor')
  }

  /** doctor, with the checksum listing before and after: it must come back unchanged. */
  async function inspectReadOnly(node: Node, args: readonly string[]) {
    const before = await settledListing(node)
    const result = doctor(args)
    const after = await sh(node, LISTING)
    expect(after).toBe(before)
    return result
  }

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'zjm-doctor-'))
    ctx = {
      exec: processExecutor,
      ledger: new CleanupLedger(join(workDir, 'ledger.json')),
      log,
      signal: new AbortController().signal,
      workDir
    }
    provider = new QemuProvider(
      { ...DEFAULT_QEMU_OPTIONS, images: { dir: IMAGE_CACHE, mirror: MIRROR } },
      ctx
    )
    // Booted side by side: the suite waits for one boot instead of two.
    const boot = (key: 'bullseye' | 'bookworm', image: string) =>
      provider!.boot(findImage(image)!, { name: `doctor-${key}`, logDir: join(workDir, key) })
    const [bullseye, bookworm] = await Promise.all([
      boot('bullseye', 'debian-11'),
      boot('bookworm', 'debian-12')
    ])
    nodes.bullseye = bullseye
    nodes.bookworm = bookworm
    mkdirSync(join(workDir, 'registry'))
    const images = await startTestRegistry(nodes.bookworm, join(workDir, 'registry'), ctx)
    probeImage = imageReference(images.probe)
    const access = nodes.bullseye.access
    hostArgs = () => [
      `${access.user}@${access.host}:${access.port}`,
      '-i',
      access.identity,
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null'
    ]
  }, 30 * MINUTE)

  afterAll(async () => {
    if (provider === undefined) return
    await provider.close()
    sweep(ctx.ledger, log)
    rmSync(workDir, { recursive: true, force: true })
    console.log(lines.join('\n'))
  }, 5 * MINUTE)

  it(
    'OpenZFS 2.0 with the CRI on overlayfs: Z1, and the join symptoms it causes; nothing on the node changed',
    async () => {
      const node = nodes.bullseye!
      await configure(node, 'overlayfs', 'kubespray')
      const r = await inspectReadOnly(node, hostArgs(node))
      expect(r.status).toBe(1)
      expect(r.nodes).toHaveLength(1)
      const n = r.nodes[0]!
      expect(n.inspected).toBe(true)
      expect(n.snapshotters).toEqual({ cri: 'overlayfs', nerdctl: 'overlayfs' })
      expect(n.predictions!.map(p => [p.id, p.explainedBy])).toEqual([
        ['overlayfs-mount-einval', null],
        ['nginx-proxy-not-running', 'overlayfs-mount-einval'],
        ['apiserver-localhost-refused', 'overlayfs-mount-einval']
      ])
      expect(n.predictions![0]!.because[0]).toMatch(/OpenZFS 2\.0 \(overlayfs needs 2\.2\)/)
    },
    10 * MINUTE
  )

  it(
    "the zfs snapshotter whose root is not on ZFS: Z3, with containerd's own journal line as evidence",
    async () => {
      const node = nodes.bullseye!
      // A node whose zfs snapshotter root is not on ZFS (here a tmpfs; on users' nodes, the ext4 root
      // when /var/lib/containerd is not on the pool). A plain directory inside a dataset is enough for
      // containerd: it looks up the filesystem holding the root, and the plugin loads.
      await sh(
        node,
        `set -eu\nsystemctl stop containerd\nzfs umount ${ZFS_SNAPSHOTTER_DATASET}\nmount -t tmpfs zjm-not-zfs ${ZFS_ROOT}`
      )
      await configure(node, 'zfs', 'fixed')
      const r = await inspectReadOnly(node, hostArgs(node))
      const n = r.nodes[0]!
      expect(n.predictions!.map(p => p.id)).toEqual([
        'zfs-snapshotter-not-a-dataset',
        'nginx-proxy-not-running',
        'apiserver-localhost-refused'
      ])
      expect(n.predictions![0]!.because).toEqual([
        expect.stringMatching(/io\.containerd\.snapshotter\.v1\.zfs is on tmpfs \(zjm-not-zfs\), not on ZFS/),
        // containerd 1.4's zfs plugin fails with a plain error (later releases skip the plugin).
        expect.stringMatching(/^containerd lists its zfs snapshotter plugin as (skip|error)$/)
      ])
      expect(r.stdout).toMatch(/must be a zfs filesystem to be used with the zfs snapshotter/)
      await sh(
        node,
        `set -eu\nsystemctl stop containerd\numount ${ZFS_ROOT}\nzfs mount ${ZFS_SNAPSHOTTER_DATASET}`
      )
    },
    10 * MINUTE
  )

  it(
    'through an inventory: OpenZFS 2.1 overlayfs (Z2); then the CRI on zfs with images in overlayfs (S2); then healthy; then kubelet residue (J3)',
    async () => {
      const node = nodes.bookworm!
      const a = node.access
      const inventory = join(workDir, 'inventory.ini')
      writeFileSync(
        inventory,
        [
          '[kube_node]',
          `worker1 ansible_host=${a.host} ansible_port=${a.port} ansible_user=${a.user} ansible_ssh_private_key_file=${a.identity} ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'`,
          '[kube_control_plane]',
          '[k8s_cluster:children]',
          'kube_node',
          'kube_control_plane',
          ''
        ].join('\n')
      )
      const run = () => inspectReadOnly(node, ['--inventory', inventory])
      const ids = (r: { nodes: JsonNode[] }) => r.nodes[0]!.predictions!.map(p => p.id)

      await configure(node, 'overlayfs', 'kubespray')
      const z2 = await run()
      expect(z2.nodes.map(n => n.name)).toEqual(['worker1'])
      expect(ids(z2)).toEqual(['overlayfs-rename-whiteout'])

      await node.reset()
      await configure(node, 'zfs', 'kubespray')
      await sh(node, `ctr -n k8s.io images pull --plain-http ${probeImage} >/dev/null`)
      const s2 = await run()
      expect(s2.nodes[0]!.snapshotters).toEqual({ cri: 'zfs', nerdctl: 'overlayfs' })
      expect(ids(s2)).toEqual(['tool-snapshotter-mismatch'])
      expect(s2.nodes[0]!.predictions![0]!.because).toEqual([
        expect.stringMatching(/nerdctl\.toml sets snapshotter = "overlayfs", the CRI uses zfs/),
        expect.stringMatching(/snapshots: \d+ in overlayfs; 0 in the CRI's zfs/)
      ])

      await node.reset()
      await configure(node, 'zfs', 'fixed')
      await sh(node, `ctr -n k8s.io images pull --plain-http --snapshotter zfs ${probeImage} >/dev/null`)
      const healthy = await run()
      expect(healthy.status).toBe(0)
      expect(ids(healthy)).toEqual([])
      expect(healthy.nodes[0]!.unknowns).toEqual([])

      await sh(
        node,
        'mkdir -p /etc/kubernetes && printf "apiVersion: v1\\nkind: Config\\n" > /etc/kubernetes/kubelet.conf'
      )
      const residue = await run()
      expect(residue.status).toBe(1)
      expect(ids(residue)).toEqual(['kubelet-client-ca-missing'])
      await sh(node, 'rm -rf /etc/kubernetes')
    },
    20 * MINUTE
  )

  it(
    'mode: doctor through the action bundle on the healthy node: summary, doctor.json, outputs, step passes',
    () => {
      const a = nodes.bookworm!.access
      const dir = mkdtempSync(join(workDir, 'action-'))
      mkdirSync(join(dir, 'runner-temp'))
      const env = runnerEnv(
        dir,
        {
          mode: 'doctor',
          hosts: `${a.user}@${a.host}:${a.port}`,
          'ssh-identity': a.identity,
          'ssh-options': 'StrictHostKeyChecking=no\nUserKnownHostsFile=/dev/null'
        },
        { HOME: dir }
      )
      const r = action('dist/index.js', env, dir)
      expect({ status: r.status, tail: r.stdout.split('\n').slice(-5) }).toMatchObject({ status: 0 })
      expect(r.stdout).toMatch(
        /No known signature predicted: a join should not hit the ZFS chain on this node\./
      )
      expect(r.stdout).not.toMatch(/::error/)
      const summary = readFileSync(join(dir, 'summary'), 'utf8')
      // Node text is escaped for Markdown, parentheses as entities.
      expect(summary).toMatch(/\| CRI snapshotter \| zfs &#40;config version 2, /)
      expect(summary).toMatch(/No known signature predicted\./)
      const doc = JSON.parse(readFileSync(join(dir, 'zfs-join-results/doctor.json'), 'utf8')) as {
        nodes: JsonNode[]
      }
      expect(doc.nodes.map(n => [n.inspected, n.predictions])).toEqual([[true, []]])
    },
    10 * MINUTE
  )

  it(
    "real tools on the native snapshotter and a restricted network: a lower layer's named pipe is dropped by containerd 1.4 and kept by 1.6 (no S4 on Debian's builds); a pull with no route out is N1 and nothing else",
    async () => {
      mkdirSync(CAPTURES, { recursive: true })
      // An image whose lower layer holds a named pipe: the native snapshotter starts each snapshot as a
      // copy of its parent, so the pipe must be copied into the top snapshot.
      const fifo = imageOfLayers(
        'zjm/fifo',
        'v1',
        [
          [
            { path: 'run', type: 'dir', mode: 0o755 },
            { path: 'run/initctl', type: 'fifo', mode: 0o600 }
          ],
          [{ path: 'run/upper.txt', type: 'file', mode: 0o644, content: Buffer.from('upper\n') }]
        ],
        { Env: ['PATH=/bin'], Cmd: ['/bin/sh'] }
      )
      const archive = join(workDir, 'fifo.tar')
      writeFileSync(archive, ociLayoutArchive(fifo))
      const pipesIn = async (node: Node): Promise<string[]> => {
        await configure(node, 'native', 'fixed')
        await node.copyIn(archive, '/tmp/zjm-fifo.tar')
        const r = await node.exec(
          cmd('ctr', '-n', 'k8s.io', 'images', 'import', '--snapshotter', 'native', '/tmp/zjm-fifo.tar'),
          { timeoutMs: 5 * MINUTE }
        )
        expect({ exit: r.exitCode, stderr: r.stderr }).toEqual({ exit: 0, stderr: '' })
        expect(diagnose([writeCapture(`${node.name}-ctr-import-native-fifo.log`, r.stdout)]).status).toBe(0)
        const found = await sh(
          node,
          'cd /var/lib/containerd/io.containerd.snapshotter.v1.native/snapshots && find . -type p | sort'
        )
        await sh(node, 'ctr -n k8s.io images rm zjm/fifo:v1 >/dev/null')
        return found
          .trim()
          .split('\n')
          .filter(l => l !== '')
      }
      // Snapshot 1 is the lower layer, 2 the top one (its copy plus layer 2).
      expect(await pipesIn(nodes.bullseye!)).toEqual(['./1/run/initctl'])
      expect(await pipesIn(nodes.bookworm!)).toEqual(['./1/run/initctl', './2/run/initctl'])

      // The guest has no route out (restricted user networking) and no resolver: the lookup fails
      // inside the guest, as on an air-gapped node whose DNS is not set.
      const pull = await nodes.bookworm!.exec(
        cmd('ctr', '-n', 'k8s.io', 'images', 'pull', 'registry.k8s.io/pause:3.9'),
        {
          timeoutMs: 5 * MINUTE
        }
      )
      expect(pull.exitCode).not.toBe(0)
      const n1 = diagnose([writeCapture('debian-12-ctr-pull-restricted.log', `${pull.stdout}${pull.stderr}`)])
      expect({ status: n1.status, ids: n1.result.findings.map(f => [f.id, f.role]) }).toEqual({
        status: 1,
        ids: [['pull-network-unreachable', 'root cause']]
      })
    },
    10 * MINUTE
  )

  it(
    'a node that cannot be reached is reported and the others are still inspected',
    () => {
      const a = nodes.bookworm!.access
      const r = doctor([
        'root@127.0.0.1:1',
        `${a.user}@${a.host}:${a.port}`,
        '-i',
        a.identity,
        '-o',
        'StrictHostKeyChecking=no',
        '-o',
        'UserKnownHostsFile=/dev/null'
      ])
      expect(r.status).toBe(1)
      expect(r.nodes.map(n => [n.name, n.inspected])).toEqual([
        ['root@127.0.0.1:1', false],
        [`${a.user}@${a.host}:${a.port}`, true]
      ])
      expect(r.nodes[0]!.problem).toMatch(/ssh could not log in: .*Connection refused/)
    },
    5 * MINUTE
  )
})
