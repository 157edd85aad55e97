import { readdirSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'

/** Every process whose command line names `match` (a run's work dir): qemu, ssh masters and forwards. */
export function processesMatching(match: string): number[] {
  return readdirSync('/proc')
    .filter(p => /^\d+$/.test(p))
    .filter(p => {
      try {
        return cmdline(Number(p)).includes(match)
      } catch {
        return false
      }
    })
    .map(Number)
}

/** Waits up to `ms` for the processes naming `match` to go (a killed qemu's threads take a moment). */
export async function processesGoneWithin(match: string, ms: number): Promise<number[]> {
  for (const until = Date.now() + ms; processesMatching(match).length > 0 && Date.now() < until;)
    await new Promise(r => setTimeout(r, 100))
  return processesMatching(match)
}

/** The qemu processes among them. */
export function qemuProcesses(match: string): number[] {
  return processesMatching(match).filter(p => {
    try {
      return cmdline(p).startsWith('qemu-system')
    } catch {
      return false
    }
  })
}

export function cmdline(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')
}

/** The host port a qemu forwards to its guest's ssh. */
export function sshPort(pid: number): number {
  return Number(/hostfwd=tcp:127\.0\.0\.1:(\d+)-:22/.exec(cmdline(pid))?.[1])
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function connects(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/**
 * Whether the port stops accepting within `ms`: a SIGKILLed qemu's threads take a moment to go, and its
 * sockets close with the last of them.
 */
export async function portClosesWithin(port: number, ms: number): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; await new Promise(r => setTimeout(r, 100))) {
    if (!(await connects(port))) return true
  }
  return false
}
