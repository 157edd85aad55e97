import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  CleanupLedger,
  describe as describeResource,
  isMounted,
  release,
  sweep,
  type Resource
} from '../../src/cleanup/ledger.js'
import { tempDir } from '../helpers.js'
import { recordingLog } from '../fakes.js'

const children: ChildProcess[] = []
const mounts: string[] = []

afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  for (const m of mounts.splice(0)) if (isMounted(m)) spawnSync('umount', ['-l', m])
})

/** A real `sleep 60` whose command line carries a marker unique to this test. */
function sleeper(): { child: ChildProcess; pid: number; marker: string } {
  const marker = `60.${process.pid}${Math.floor(Math.random() * 1e6)}`
  const child = spawn('sleep', [marker], { stdio: 'ignore' })
  children.push(child)
  if (child.pid === undefined) throw new Error('sleep did not start')
  return { child, pid: child.pid, marker }
}

function exited(child: ChildProcess): Promise<NodeJS.Signals | number | null> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve(child.signalCode ?? child.exitCode)
  return new Promise(resolve => child.once('exit', (code, signal) => resolve(signal ?? code)))
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null
}

function mountTmpfs(dir: string): void {
  mkdirSync(dir, { recursive: true })
  const r = spawnSync('mount', ['-t', 'tmpfs', 'tmpfs', dir], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`mount failed: ${r.stderr}`)
  mounts.push(dir)
}

function mountedInProc(dir: string): boolean {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .some(l => l.split(' ')[1] === dir.replace(/ /g, '\\040'))
}

describe('ledger resources, released for real', () => {
  it('a process resource kills the process whose command line contains the match', async () => {
    const { child, pid, marker } = sleeper()
    await new Promise(r => setTimeout(r, 100))
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBe(`sleep\0${marker}\0`)
    release({ kind: 'process', pid, match: `sleep ${marker}` })
    expect(await exited(child)).toBe('SIGKILL')
  })

  it('a process resource spares a process whose command line lacks the match (a reused pid)', async () => {
    const { child, pid } = sleeper()
    await new Promise(r => setTimeout(r, 100))
    release({ kind: 'process', pid, match: 'qemu-system-x86_64 -name zjm-r1-cp' })
    await new Promise(r => setTimeout(r, 200))
    expect(alive(child)).toBe(true)
    expect(() => process.kill(pid, 0)).not.toThrow()
  })

  it('a process resource for a pid that no longer exists is a no-op', async () => {
    const { child, pid, marker } = sleeper()
    child.kill('SIGKILL')
    await exited(child)
    expect(() => release({ kind: 'process', pid, match: marker })).not.toThrow()
  })

  it('a mount resource unmounts a real tmpfs, even one with a space in its path', () => {
    for (const name of ['mnt', 'mnt with space']) {
      const dir = join(tempDir(), name)
      mountTmpfs(dir)
      writeFileSync(join(dir, 'inside'), 'x')
      expect(mountedInProc(dir)).toBe(true)
      expect(isMounted(dir)).toBe(true)
      release({ kind: 'mount', path: dir })
      expect(mountedInProc(dir)).toBe(false)
      expect(isMounted(dir)).toBe(false)
      expect(existsSync(join(dir, 'inside'))).toBe(false)
      expect(existsSync(dir)).toBe(true)
    }
  })

  it('releasing a mount resource that is not mounted does nothing', () => {
    const dir = join(tempDir(), 'never-mounted')
    mkdirSync(dir)
    writeFileSync(join(dir, 'keep'), 'x')
    expect(() => release({ kind: 'mount', path: dir })).not.toThrow()
    expect(() => release({ kind: 'mount', path: join(dir, 'missing') })).not.toThrow()
    expect(readFileSync(join(dir, 'keep'), 'utf8')).toBe('x')
  })

  it('a file resource removes the file, and a missing file is no error', () => {
    const file = join(tempDir(), 'cp-root.qcow2')
    writeFileSync(file, 'qcow')
    release({ kind: 'file', path: file })
    expect(existsSync(file)).toBe(false)
    expect(() => release({ kind: 'file', path: file })).not.toThrow()
  })

  it('describe() names each kind', () => {
    expect(describeResource({ kind: 'process', pid: 42, match: 'zjm-cp' })).toBe('process 42 (zjm-cp)')
    expect(describeResource({ kind: 'mount', path: '/w/rootfs/proc' })).toBe('mount /w/rootfs/proc')
    expect(describeResource({ kind: 'file', path: '/w/a.qcow2' })).toBe('file /w/a.qcow2')
    expect(describeResource({ kind: 'zpool', name: 'zjm-r1' })).toBe('zpool zjm-r1')
  })

  it('sweep() releases every kind listed and deletes the ledger file', async () => {
    const root = tempDir()
    const dir = join(root, 'build-debian-12')
    mkdirSync(join(dir, 'rootfs'), { recursive: true })
    const mnt = join(dir, 'rootfs', 'proc')
    mountTmpfs(mnt)
    const file = join(root, 'disk.qcow2')
    writeFileSync(file, 'x')
    const { child, pid, marker } = sleeper()
    await new Promise(r => setTimeout(r, 100))
    const ledger = new CleanupLedger(join(root, 'ledger.json'))
    // In the order a run would record them: the mount below the dir comes after it, yet must not block it.
    const resources: Resource[] = [
      { kind: 'process', pid, match: marker },
      { kind: 'mount', path: mnt },
      { kind: 'file', path: file },
      { kind: 'dir', path: join(root, 'gone-already') }
    ]
    for (const r of resources) ledger.add(r)
    ledger.add({ kind: 'file', path: file })
    expect(ledger.read()).toHaveLength(4)
    const log = recordingLog()

    expect(sweep(new CleanupLedger(ledger.path), log)).toBe(4)

    expect(log.lines).toEqual([])
    expect(await exited(child)).toBe('SIGKILL')
    expect(mountedInProc(mnt)).toBe(false)
    expect(existsSync(file)).toBe(false)
    expect(existsSync(ledger.path)).toBe(false)
    expect(ledger.read()).toEqual([])
  })

  it('sweep() after a killed build removes the build dir without reaching through the chroot mounts', () => {
    // What a SIGKILL in the middle of a build leaves: the build dir was recorded first, then the chroot's
    // bind mount inside it (chroot.ts binds the host's /dev; a temp dir stands in for it here).
    const root = tempDir()
    const hostDev = join(root, 'host-dev')
    mkdirSync(hostDev)
    writeFileSync(join(hostDev, 'canary'), 'host file')
    const build = join(root, 'build-debian-12')
    const dev = join(build, 'rootfs', 'dev')
    mkdirSync(dev, { recursive: true })
    writeFileSync(join(build, 'rootfs', 'os-release'), 'x')
    const ledger = new CleanupLedger(join(root, 'ledger.json'))
    ledger.add({ kind: 'dir', path: build })
    ledger.add({ kind: 'mount', path: dev })
    const r = spawnSync('mount', ['--bind', hostDev, dev], { encoding: 'utf8' })
    expect(r.stderr).toBe('')
    mounts.push(dev)
    const log = recordingLog()

    sweep(ledger, log)

    expect(readFileSync(join(hostDev, 'canary'), 'utf8')).toBe('host file')
    expect(mountedInProc(dev)).toBe(false)
    expect(log.lines).toEqual([])
    expect(existsSync(build)).toBe(false)
    expect(existsSync(ledger.path)).toBe(false)
  })
})
