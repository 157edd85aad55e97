import { rmSync } from 'node:fs'
import { cmd, type Command } from '../../exec/command.js'
import { check, type CommandResult, type RunOptions } from '../../exec/executor.js'
import type { HostContext } from '../../host/context.js'
import { MAX_SOCKET_PATH } from '../../host/unix-socket.js'
import type { SshAccess } from '../../kubespray/inventory.js'
import type { NodeVersions } from '../../results/cell-result.js'
import type { RootDisk } from '../../storage/disk-store.js'
import { nodeExecutor, type Forward, type Node } from '../provider.js'
import { FACTS, RESET, parseFacts } from './guest-scripts.js'
import { startSocketProcess, type SocketProcess } from './socket-process.js'
import {
  ownConnection,
  scpFromCommand,
  scpToCommand,
  sshCommand,
  sshForwardCommand,
  sshMasterCommand,
  type SshTarget
} from './ssh.js'
import type { VmProcess } from './vm-process.js'
import { dropControl } from '../../text/control-chars.js'
import { errorMessage } from '../../text/error-message.js'

const FORWARD_READY_MS = 15_000
/** How long a health check waits for the guest's ssh before calling it silent. */
const HEALTH_MS = 10_000

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '(no output)'
}

/** A qemu VM reached over ssh on its forwarded 127.0.0.1 port. */
export interface BootTimings {
  /** Creating the VM's root disk (overlay or clone). */
  readonly diskSeconds: number
  /** qemu start to the first successful ssh login. */
  readonly sshSeconds: number
  /** Creating the guest pool and containerd's datasets. */
  readonly poolSeconds: number
}

export class QemuNode implements Node {
  private destroyed = false
  private master: SocketProcess | undefined
  timings: BootTimings = { diskSeconds: 0, sshSeconds: 0, poolSeconds: 0 }

  constructor(
    readonly name: string,
    private readonly vm: VmProcess,
    private ssh: SshTarget,
    private readonly disks: readonly (RootDisk | { release(): Promise<void> })[],
    private readonly ctx: HostContext,
    readonly privateAddress?: string
  ) {}

  get access(): SshAccess {
    return { host: '127.0.0.1', port: this.ssh.port, user: 'root', identity: this.ssh.identity }
  }

  /**
   * The result names the guest's command, not the ssh line that carried it: a failure then reads as
   * what failed on the node (with ssh's own complaint in stderr when the node did not answer).
   */
  async exec(command: Command, options?: RunOptions): Promise<CommandResult> {
    const r = await this.ctx.exec.run({ ...sshCommand(this.ssh, command), input: command.input }, options)
    return { ...r, command }
  }

  /** Runs a shell script on the guest (`sh -s`), failing with its stderr. */
  script(script: string, options?: RunOptions): Promise<CommandResult> {
    return check(nodeExecutor(this), { ...cmd('sh', '-s'), input: script }, options)
  }

  async copyIn(localPath: string, remotePath: string): Promise<void> {
    await check(this.ctx.exec, scpToCommand(this.ssh, localPath, remotePath))
  }

  async copyOut(remotePath: string, localPath: string): Promise<void> {
    await check(this.ctx.exec, scpFromCommand(this.ssh, remotePath, localPath))
  }

  async kernelLog(): Promise<string> {
    return (await check(this.ctx.exec, sshCommand(this.ssh, cmd('dmesg')))).stdout
  }

  async forwardUnixSocket(remotePath: string, localPath: string, signal: AbortSignal): Promise<Forward> {
    rmSync(localPath, { force: true })
    const forward = await startSocketProcess(
      this.ctx.exec,
      sshForwardCommand(this.ssh, localPath, remotePath),
      localPath,
      `forwarding ${remotePath} from ${this.name}`,
      FORWARD_READY_MS,
      signal
    )
    return { closed: forward.ended.then(() => rmSync(localPath, { force: true })) }
  }

  /**
   * Opens the master connection the node's later commands share. Without it (a socket path too long
   * for a unix socket, or the master failing) they connect one by one, slower but the same.
   */
  async multiplex(controlPath: string): Promise<void> {
    if (controlPath.length > MAX_SOCKET_PATH) {
      this.ctx.log.warning(
        `${this.name}: no shared ssh connection (${controlPath} is too long for a socket); each command connects on its own`
      )
      return
    }
    rmSync(controlPath, { force: true })
    try {
      this.master = await startSocketProcess(
        this.ctx.exec,
        sshMasterCommand(this.ssh, controlPath),
        controlPath,
        `the shared ssh connection to ${this.name}`,
        FORWARD_READY_MS,
        this.ctx.signal
      )
      this.ssh = { ...this.ssh, controlPath }
    } catch (e) {
      this.ctx.log.warning(`${errorMessage(e)}; each command connects on its own`)
    }
  }

  /**
   * Null while the guest answers ssh within 10 s; else what is wrong (qemu stopped or ended, or the
   * guest silent) with the serial console's last lines, for the cell that found out and the ones after.
   */
  async health(): Promise<string | null> {
    const state = this.vm.state()
    const tail = dropControl(this.vm.serialTail(10))
    const console = `serial console's last lines:\n${tail}`
    if (state === 'stopped') {
      return `the VM ${this.name} stopped: its qemu (pid ${this.vm.pid}) is stopped (state T: SIGSTOP or a debugger); ${console}`
    }
    if (state === 'ended') return `the VM ${this.name} is gone: its qemu ended; ${console}`
    // A connection of its own: the question is whether the guest answers, not whether the master lives.
    const r = await this.ctx.exec.run(sshCommand(ownConnection(this.ssh), cmd('true'), 5), {
      timeoutMs: HEALTH_MS
    })
    if (r.exitCode === 0) return null
    const why = r.killedBy === 'timeout' ? `no answer within ${HEALTH_MS / 1000} s` : lastLine(r.stderr)
    return `the VM ${this.name} stopped answering ssh (${why}); ${console}`
  }

  async facts(): Promise<NodeVersions> {
    return parseFacts((await this.script(FACTS)).stdout)
  }

  async reset(): Promise<void> {
    await this.script(RESET, { timeoutMs: 120_000 })
  }

  /** Powers the VM off and removes its disks; safe to call twice. */
  async destroy(): Promise<void> {
    if (this.destroyed) return
    this.destroyed = true
    await this.master?.stop()
    if (this.ssh.controlPath !== undefined) rmSync(this.ssh.controlPath, { force: true })
    const exit = await this.vm.stop()
    if (exit.code !== 0 && exit.code !== null && exit.signal === null) {
      this.ctx.log.warning(`${this.name}: qemu ended with code ${exit.code}: ${exit.stderr.trim()}`)
    }
    for (const disk of this.disks) await disk.release()
  }
}
