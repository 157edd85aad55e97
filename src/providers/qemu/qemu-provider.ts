import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { cmd } from '../../exec/command.js'
import { check } from '../../exec/executor.js'
import type { HostContext } from '../../host/context.js'
import { ensureImage, type ImageCacheOptions } from '../../images/cache.js'
import type { ImageSpec } from '../../images/catalogue.js'
import type { ImageArtifacts } from '../../images/manifest.js'
import { chooseDiskStore } from '../../storage/choose-store.js'
import type { DiskStore, RootDisk } from '../../storage/disk-store.js'
import type { BootOptions, PrivateLinkEnd, Provider } from '../provider.js'
import { chooseAccelerator, type AcceleratorChoice } from './accel.js'
import { SETUP_POOL } from './guest-scripts.js'
import { kernelCmdline, qemuCommand, type LinkEnd } from './qemu-args.js'
import { QemuNode } from './qemu-node.js'
import { freeTcpPort, freeUdpPort } from './ports.js'
import { keygenCommand, type SshTarget } from './ssh.js'
import { VmProcess } from './vm-process.js'
import { BootMayRecover, PortTaken, waitForSsh } from './wait-for-ssh.js'
import { errorMessage } from '../../text/error-message.js'

/** The DNS server qemu's user network offers its guests. */
const USER_NET_DNS = '10.0.2.3'

export interface QemuProviderOptions {
  readonly images: ImageCacheOptions
  readonly cpus: number
  readonly memoryMb: number
  /** Give guests outbound network (kubespray downloads on runners). Never the default. */
  readonly outbound: boolean
  /** How long a boot may take to answer ssh; the default depends on the accelerator. */
  readonly bootTimeoutMs?: number
  /** How long the serial console may stay silent before the boot counts as hung. */
  readonly bootStallMs?: number
  /** Size of each node's disk for its in-guest pool. */
  readonly poolDiskGb: number
}

export const DEFAULT_QEMU_OPTIONS: Omit<QemuProviderOptions, 'images'> = {
  cpus: 2,
  memoryMb: 2048,
  outbound: false,
  poolDiskGb: 4
}

const REQUIRED_TOOLS = ['qemu-system-x86_64', 'qemu-img', 'ssh', 'scp', 'ssh-keygen']
const LINK_SUBNET = '10.77.0'

/** Nodes as qemu VMs: KVM when it really works, TCG otherwise, disks from the host's DiskStore. */
export class QemuProvider implements Provider {
  readonly name = 'qemu'
  private accel: Promise<AcceleratorChoice> | undefined
  private store: Promise<DiskStore> | undefined
  private key: Promise<SshTarget['identity']> | undefined
  private readonly nodes = new Set<QemuNode>()
  private readonly links = new Map<string, LinkEnd>()
  private readonly images = new Map<string, Promise<ImageArtifacts>>()
  private readonly runId = randomBytes(4).toString('hex')

  constructor(
    private readonly options: QemuProviderOptions,
    private readonly ctx: HostContext
  ) {}

  async unavailableReason(): Promise<string | null> {
    for (const tool of REQUIRED_TOOLS) {
      const r = await this.ctx.exec.run(cmd('sh', '-c', `command -v ${tool}`))
      if (r.exitCode !== 0)
        return `${tool} is not installed (the qemu provider needs qemu-system-x86, qemu-utils, openssh-client)`
    }
    return null
  }

  /** The accelerator the run uses, decided once by trying KVM with the first image's kernel. */
  accelerator(kernel: string): Promise<AcceleratorChoice> {
    this.accel ??= chooseAccelerator(this.ctx.exec, kernel).then(choice => {
      this.ctx.log.info(`qemu: using ${choice.accel.toUpperCase()} (${choice.reason})`)
      return choice
    })
    return this.accel
  }

  private diskStore(): Promise<DiskStore> {
    this.store ??= chooseDiskStore(this.ctx, this.runId).then(store => {
      this.ctx.log.info(`disks: ${store.kind} (${store.reason})`)
      return store
    })
    return this.store
  }

  private identity(): Promise<string> {
    this.key ??= (async () => {
      // Per provider: several runs may share one host work dir (the bench does).
      const dir = join(this.ctx.workDir, `ssh-${this.runId}`)
      mkdirSync(dir, { recursive: true, mode: 0o700 })
      await check(this.ctx.exec, keygenCommand(dir))
      return join(dir, 'id_ed25519')
    })()
    return this.key
  }

  async createLink(): Promise<readonly [PrivateLinkEnd, PrivateLinkEnd]> {
    const [a, b] = [await freeUdpPort(), await freeUdpPort()]
    const index = this.links.size / 2
    // Each link owns two addresses, .2i+1 and .2i+2; each end sends to the other's UDP port.
    const end = (side: 1 | 2, local: number, remote: number): LinkEnd & PrivateLinkEnd => ({
      id: `link${index}${side === 1 ? 'a' : 'b'}`,
      localPort: local,
      remotePort: remote,
      mac: `52:54:00:77:${index.toString(16).padStart(2, '0')}:0${side}`,
      address: `${LINK_SUBNET}.${2 * index + side}/24`,
      peerAddress: `${LINK_SUBNET}.${2 * index + 3 - side}`
    })
    const ends = [end(1, a, b), end(2, b, a)] as const
    for (const end of ends) this.links.set(end.id, end)
    return ends
  }

  /** The image's artifacts, resolved against the mirror (and built if need be) once per run. */
  image(image: ImageSpec): Promise<ImageArtifacts> {
    let artifacts = this.images.get(image.name)
    if (artifacts === undefined) {
      artifacts = ensureImage(image, this.options.images, this.ctx)
      // A failed build is not remembered: the next boot may try again (the mirror was down, …).
      artifacts.catch(() => this.images.delete(image.name))
      this.images.set(image.name, artifacts)
    }
    return artifacts
  }

  async boot(image: ImageSpec, options: BootOptions): Promise<QemuNode> {
    const ctx = this.ctx
    const artifacts = await this.image(image)
    const { accel } = await this.accelerator(artifacts.kernel)
    const store = await this.diskStore()
    const identity = await this.identity()
    const link = options.link === undefined ? undefined : this.links.get(options.link.id)
    mkdirSync(options.logDir, { recursive: true })

    const vmName = `zjm-${this.runId}-${options.name}`
    const diskStarted = Date.now()
    const root = await store.rootDisk(artifacts, vmName)
    const diskSeconds = seconds(diskStarted)
    const pool = await this.poolDisk(vmName)
    const started = Date.now()
    let running: { vm: VmProcess; target: SshTarget }
    try {
      running = await this.startUntilSsh({ vmName, accel, artifacts, identity, link, root, pool, options })
    } catch (e) {
      await root.release()
      await pool.release()
      throw e
    }
    const node = new QemuNode(
      options.name,
      running.vm,
      running.target,
      [root, pool],
      ctx,
      link?.address.split('/')[0]
    )
    this.nodes.add(node)
    await node.multiplex(join(dirname(identity), `${options.name}.ssh`))
    const sshSeconds = seconds(started)
    ctx.log.info(`${options.name}: ${image.name} answered ssh after ${sshSeconds.toFixed(1)}s (${accel})`)
    try {
      const poolStarted = Date.now()
      await node.script(SETUP_POOL, { timeoutMs: 120_000 })
      node.timings = { diskSeconds, sshSeconds, poolSeconds: seconds(poolStarted) }
    } catch (e) {
      await this.destroyNode(node)
      throw new Error(`${options.name}: could not create the guest's ZFS pool: ${errorMessage(e)}`)
    }
    return node
  }

  /** The blank disk the guest's pool is made on, in the ledger until released. */
  private async poolDisk(vmName: string): Promise<{ path: string; release: () => Promise<void> }> {
    const ctx = this.ctx
    const path = join(ctx.workDir, 'disks', `${vmName}-pool.img`)
    mkdirSync(join(ctx.workDir, 'disks'), { recursive: true })
    ctx.ledger.add({ kind: 'file', path })
    await check(ctx.exec, cmd('truncate', '-s', `${this.options.poolDiskGb}G`, path))
    return {
      path,
      release: () => {
        ctx.ledger.remove({ kind: 'file', path })
        return ctx.exec.run(cmd('rm', '-f', path)).then(() => undefined)
      }
    }
  }

  /** Starts qemu and waits for the guest's sshd: again on a port taken meanwhile, once more on a hang. */
  private async startUntilSsh(boot: {
    vmName: string
    accel: AcceleratorChoice['accel']
    artifacts: ImageArtifacts
    identity: string
    link: LinkEnd | undefined
    root: RootDisk
    pool: { path: string }
    options: BootOptions
  }): Promise<{ vm: VmProcess; target: SshTarget }> {
    const { ctx, options: qemu } = this
    const { vmName, accel, artifacts, identity, link, root, pool, options } = boot
    const publicKey = readFileSync(`${identity}.pub`, 'utf8')
    const timeoutMs = qemu.bootTimeoutMs ?? (accel === 'kvm' ? 120_000 : 420_000)
    // Serial output stops for good only when the guest hangs: a healthy TCG boot writes every few seconds.
    const stallMs = qemu.bootStallMs ?? (accel === 'kvm' ? 60_000 : 150_000)
    const serialLog = join(options.logDir, `${options.name}-serial.log`)
    let bootedAgain = false
    // The ssh port is picked free and handed to qemu; if another process takes it in between, qemu
    // exits at once and we try again with a new port.
    for (let attempt = 1; ; attempt++) {
      const port = await freeTcpPort()
      const spec = {
        name: vmName,
        accel,
        cpus: qemu.cpus,
        memoryMb: qemu.memoryMb,
        kernel: artifacts.kernel,
        initrd: artifacts.initrd,
        cmdline: kernelCmdline({
          sshPublicKey: publicKey,
          hostname: options.name,
          address: link?.address,
          // qemu's user network answers DNS here; a restricted guest gets none (lookups fail at once).
          ...(qemu.outbound ? { dns: USER_NET_DNS } : {})
        }),
        root,
        pool: { path: pool.path, format: 'raw' as const },
        sshPort: port,
        outbound: qemu.outbound,
        link,
        serialLog
      }
      const vm = VmProcess.start(qemuCommand(spec), vmName, serialLog, ctx)
      const target = { port, identity }
      try {
        await waitForSsh(vm, target, ctx, { timeoutMs, stallMs })
        return { vm, target }
      } catch (e) {
        await vm.stop()
        if (e instanceof PortTaken && attempt < 3) continue
        // An unmodified Debian kernel that panics or hangs before sshd starts (seen a few times in a few
        // hundred TCG boots, in an interrupt or in early init, before any ZFS module loads) says nothing
        // about ZFS or containerd: boot once more, keeping the first serial log beside the second.
        if (e instanceof BootMayRecover && !bootedAgain) {
          bootedAgain = true
          const kept = serialLog.replace(/\.log$/, `.${e.kind}.log`)
          renameSync(serialLog, kept)
          ctx.log.warning(
            `${options.name}: ${e.what} (${accel}); booting it once more (first serial log: ${kept})`
          )
          continue
        }
        throw e
      }
    }
  }

  private async destroyNode(node: QemuNode): Promise<void> {
    this.nodes.delete(node)
    await node.destroy()
  }

  async close(): Promise<void> {
    for (const node of [...this.nodes]) await this.destroyNode(node)
    if (this.store !== undefined) await (await this.store).close()
  }
}

function seconds(since: number): number {
  return (Date.now() - since) / 1000
}
