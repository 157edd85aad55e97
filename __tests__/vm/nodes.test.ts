/**
 * Real images and real VMs (qemu TCG here, KVM where it works): builds debian-12 and debian-13 from
 * Debian's mirror (or takes them from the cache), boots them, and checks what the guests report.
 */
import { spawn } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { CleanupLedger, sweep } from '../../src/cleanup/ledger.js'
import { cmd } from '../../src/exec/command.js'
import { processExecutor } from '../../src/exec/executor.js'
import type { HostContext } from '../../src/host/context.js'
import { ensureImage } from '../../src/images/cache.js'
import { findImage } from '../../src/images/catalogue.js'
import type { Log } from '../../src/log/log.js'
import type { Node } from '../../src/providers/provider.js'
import { DEFAULT_QEMU_OPTIONS, QemuProvider } from '../../src/providers/qemu/qemu-provider.js'
import {
  connects,
  portClosesWithin,
  processesGoneWithin,
  processesMatching,
  qemuProcesses,
  sshPort
} from './processes.js'
import { IMAGE_CACHE, MIRROR, collectingLog, vmTestsEnabled } from './vm-env.js'

const enabled = vmTestsEnabled()
const describeVm = enabled ? describe : describe.skip
const MINUTE = 60_000
const root = resolve(import.meta.dirname, '../..')

const lines: string[] = []
const log: Log = collectingLog(lines)

function context(): HostContext & { ledger: CleanupLedger } {
  const workDir = mkdtempSync(join(tmpdir(), 'zjm-vmtest-'))
  return {
    exec: processExecutor,
    ledger: new CleanupLedger(join(workDir, 'ledger.json')),
    log,
    signal: new AbortController().signal,
    workDir
  }
}

async function sh(node: Node, script: string): Promise<string> {
  const r = await node.exec({ ...cmd('sh', '-s'), input: script })
  if (r.exitCode !== 0) throw new Error(`guest script failed (${r.exitCode}): ${r.stderr}`)
  return r.stdout
}

describeVm('node images and qemu nodes', () => {
  const images = { dir: IMAGE_CACHE, mirror: MIRROR }

  beforeAll(async () => {
    // Built once per machine and shared by every test below (a cold build takes ~5 minutes per image).
    for (const name of ['debian-12', 'debian-13']) {
      const ctx = context()
      try {
        await ensureImage(findImage(name)!, images, ctx)
      } finally {
        rmSync(ctx.workDir, { recursive: true, force: true })
      }
    }
  }, 40 * MINUTE)

  afterAll(() => console.log(lines.join('\n')))

  it.each([
    ['debian-12', '6.1.', '2.1.'],
    ['debian-13', '6.12.', '2.3.']
  ])(
    '%s boots with kernel %s* and OpenZFS %s*, its pool on the second disk, reset to clean, and leaves nothing behind',
    async (name, kernel, openzfs) => {
      const ctx = context()
      const provider = new QemuProvider({ ...DEFAULT_QEMU_OPTIONS, images }, ctx)
      try {
        const node = await provider.boot(findImage(name)!, {
          name: `t-${name}`,
          logDir: join(ctx.workDir, 'logs')
        })
        const facts = await node.facts()
        expect(facts.kernel?.startsWith(kernel)).toBe(true)
        expect(facts.openzfs?.startsWith(openzfs)).toBe(true)
        expect(facts.containerd).toMatch(/^1\.\d+\./)

        expect(await sh(node, 'zpool status -P zjm')).toMatch(/\/dev\/vdb/)
        expect((await sh(node, 'findmnt -n -o FSTYPE /var/lib/containerd')).trim()).toBe('zfs')
        expect(await sh(node, 'systemctl is-active containerd || true')).toMatch(/inactive/)
        // What kubespray's bootstrap installs is there, and with no route apt has no sources to fail on.
        expect(await sh(node, "dpkg-query -W -f '${db:Status-Status}\\n' python3-apt dbus conntrack")).toBe(
          'installed\ninstalled\ninstalled\n'
        )
        expect(await sh(node, 'apt-get -q update >/dev/null && ls -d /etc/apt/sources.list*')).toBe(
          '/etc/apt/sources.list.d\n/etc/apt/sources.list.no-route\n'
        )

        await sh(
          node,
          // 10 is a clone of 9 as the zfs snapshotter makes a layer, and sorts before it by name.
          [
            'echo dirty > /var/lib/containerd/leftover',
            'zfs create zjm/containerd/zfs-snapshotter/9',
            'zfs snapshot zjm/containerd/zfs-snapshotter/9@layer',
            'zfs clone zjm/containerd/zfs-snapshotter/9@layer zjm/containerd/zfs-snapshotter/10',
            'zfs create zjm/containerd/zfs-snapshotter/42',
            // A shim stand-in: a process left in containerd's cgroup after the unit stops.
            'systemctl start containerd',
            'setsid sleep 4242 >/dev/null 2>&1 < /dev/null & echo $! > /sys/fs/cgroup/system.slice/containerd.service/cgroup.procs'
          ].join('; ')
        )
        expect(await sh(node, 'pgrep -f "sleep 4242" | wc -l')).toBe('1\n')
        const started = Date.now()
        await node.reset()
        lines.push(`${name}: reset took ${(Date.now() - started) / 1000}s`)
        expect(await sh(node, 'ls -A /var/lib/containerd')).toBe('io.containerd.snapshotter.v1.zfs\n')
        expect(await sh(node, 'zfs list -H -o name -r zjm/containerd')).toBe(
          'zjm/containerd\nzjm/containerd/zfs-snapshotter\n'
        )
        expect(await sh(node, 'pgrep -f "sleep 4242" | wc -l; systemctl is-active containerd || true')).toBe(
          '0\ninactive\n'
        )
        expect(await node.kernelLog()).toMatch(/ZFS: Loaded module/)

        const local = join(ctx.workDir, 'payload.txt')
        writeFileSync(local, `payload for ${name}\n`)
        await node.copyIn(local, '/var/lib/containerd/payload.txt')
        await node.copyOut('/var/lib/containerd/payload.txt', join(ctx.workDir, 'back.txt'))
        expect(readFileSync(join(ctx.workDir, 'back.txt'), 'utf8')).toBe(`payload for ${name}\n`)
      } finally {
        await provider.close()
      }
      expect(processesMatching(ctx.workDir)).toEqual([])
      expect(existsSync(join(ctx.workDir, 'disks'))).toBe(false)
      expect(ctx.ledger.read()).toEqual([])
      rmSync(ctx.workDir, { recursive: true, force: true })
    },
    15 * MINUTE
  )

  it(
    'a boot that does not answer ssh in time fails with the serial console tail and leaves nothing behind',
    async () => {
      const ctx = context()
      const provider = new QemuProvider({ ...DEFAULT_QEMU_OPTIONS, images, bootTimeoutMs: 10_000 }, ctx)
      try {
        await expect(
          provider.boot(findImage('debian-12')!, { name: 'slow', logDir: join(ctx.workDir, 'logs') })
        ).rejects.toThrow(/did not answer ssh within 10s\. Last serial lines:\n/)
      } finally {
        await provider.close()
      }
      expect(processesMatching(ctx.workDir)).toEqual([])
      expect(ctx.ledger.read()).toEqual([])
      expect(readFileSync(join(ctx.workDir, 'logs', 'slow-serial.log'), 'utf8')).toMatch(
        /Linux version|SeaBIOS|\[ *\d+\.\d+\]/
      )
      rmSync(ctx.workDir, { recursive: true, force: true })
    },
    5 * MINUTE
  )

  it(
    'two nodes of a run reach each other over their private link, and nothing else',
    async () => {
      const ctx = context()
      const provider = new QemuProvider({ ...DEFAULT_QEMU_OPTIONS, images }, ctx)
      try {
        const [a, b] = await provider.createLink()
        const image = findImage('debian-12')!
        const [left, right] = await Promise.all([
          provider.boot(image, { name: 'left', logDir: join(ctx.workDir, 'logs'), link: a }),
          provider.boot(image, { name: 'right', logDir: join(ctx.workDir, 'logs'), link: b })
        ])
        expect(left.privateAddress).toBe('10.77.0.1')
        expect(await sh(left, `busybox ping -c 2 -W 5 ${right.privateAddress!}`)).toMatch(
          /2 packets received/
        )
        expect(await sh(right, `busybox ping -c 2 -W 5 ${left.privateAddress!}`)).toMatch(
          /2 packets received/
        )
        // restrict=on: a server listening on the host's loopback (slirp's 10.0.2.2) stays out of reach.
        const server = createServer(socket => socket.end('reached\n'))
        await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
        const port = (server.address() as AddressInfo).port
        try {
          expect(await sh(left, `busybox nc -w 3 10.0.2.2 ${port} </dev/null || true`)).toBe('')
        } finally {
          server.close()
        }
      } finally {
        await provider.close()
      }
      expect(ctx.ledger.read()).toEqual([])
      rmSync(ctx.workDir, { recursive: true, force: true })
    },
    15 * MINUTE
  )

  describe('killed midway', () => {
    function holdNode(tempRoot: string) {
      // node itself, not the tsx wrapper (which runs the script in a child): the process killed is
      // qemu's parent.
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(root, '__tests__/vm/hold-node.ts'), 'debian-12', IMAGE_CACHE, tempRoot],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }
      )
      let out = ''
      child.stdout.on('data', (b: Buffer) => (out += b.toString()))
      child.stderr.on('data', (b: Buffer) => (out += b.toString()))
      const waitFor = async (re: RegExp, ms: number): Promise<RegExpExecArray> => {
        const until = Date.now() + ms
        for (;;) {
          const m = re.exec(out)
          if (m !== null) return m
          if (Date.now() > until || child.exitCode !== null)
            throw new Error(`no ${re} in child output:\n${out}`)
          await new Promise(r => setTimeout(r, 500))
        }
      }
      const exited = new Promise<number | null>(r => child.once('exit', code => r(code)))
      return { child, waitFor, exited, output: () => out }
    }

    it(
      'SIGTERM: the run stops its VM, removes its disks and work dir, and exits',
      async () => {
        const tempRoot = mkdtempSync(join(tmpdir(), 'zjm-kill-'))
        const run = holdNode(tempRoot)
        const workDir = (await run.waitFor(/^WORKDIR (.+)$/m, MINUTE))[1]!
        await run.waitFor(/^BOOTED /m, 10 * MINUTE)
        const vms = qemuProcesses(workDir)
        expect(vms).toHaveLength(1)
        run.child.kill('SIGTERM')
        await run.exited
        expect(run.output()).toContain('CLEAN EXIT')
        expect(processesMatching(workDir)).toEqual([])
        expect(existsSync(workDir)).toBe(false)
        expect(readdirSync(tempRoot)).toEqual([])
        rmSync(tempRoot, { recursive: true, force: true })
      },
      15 * MINUTE
    )

    it(
      'SIGKILL: qemu dies with its parent and its ssh port closes; the ledger sweep (post step, next run) removes its files',
      async () => {
        const tempRoot = mkdtempSync(join(tmpdir(), 'zjm-kill-'))
        const run = holdNode(tempRoot)
        const ledgerPath = (await run.waitFor(/^LEDGER (.+)$/m, MINUTE))[1]!
        const workDir = (await run.waitFor(/^WORKDIR (.+)$/m, MINUTE))[1]!
        await run.waitFor(/^BOOTED /m, 10 * MINUTE)
        const [vm] = qemuProcesses(workDir)
        const port = sshPort(vm!)
        expect(await connects(port)).toBe(true)
        run.child.kill('SIGKILL')
        await run.exited
        // qemu, and the node's ssh master connection with it.
        expect(await processesGoneWithin(workDir, 5000)).toEqual([])
        expect(await portClosesWithin(port, 5000)).toBe(true)
        // What is not a process (the work dir, the disk overlays) is the sweep's, as before.
        expect(existsSync(workDir)).toBe(true)
        expect(sweep(new CleanupLedger(ledgerPath), log)).toBeGreaterThanOrEqual(2)
        expect(existsSync(workDir)).toBe(false)
        expect(readdirSync(tempRoot)).toEqual([])
        rmSync(tempRoot, { recursive: true, force: true })
      },
      15 * MINUTE
    )
  })
})
