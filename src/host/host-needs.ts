import { cmd, type Command } from '../exec/command.js'
import type { Executor } from '../exec/executor.js'

/** A Debian/Ubuntu package the run needs on the host, and how to tell it is there without dpkg. */
export interface HostPackage {
  readonly name: string
  /** Exits 0 when what the package provides is usable (on any distribution, not only Debian's). */
  readonly present: Command
}

/** A program on PATH, or in an sbin directory a non-root PATH often lacks. */
export function program(name: string): Command {
  return cmd('sh', '-c', 'command -v "$1" || test -x "/usr/sbin/$1" || test -x "/sbin/$1"', 'sh', name)
}

/** What building node images and booting VMs needs (the qemu provider's tools, debootstrap, mkfs). */
export const VM_PACKAGES: readonly HostPackage[] = [
  { name: 'qemu-system-x86', present: program('qemu-system-x86_64') },
  { name: 'qemu-utils', present: program('qemu-img') },
  { name: 'debootstrap', present: program('debootstrap') },
  // debootstrap checks the mirror's Release file against this keyring.
  {
    name: 'debian-archive-keyring',
    present: cmd('sh', '-c', 'test -f /usr/share/keyrings/debian-archive-keyring.gpg')
  },
  { name: 'openssh-client', present: program('ssh') },
  { name: 'e2fsprogs', present: program('mkfs.ext4') }
]

export const SYSTEM_ANSIBLE: HostPackage = { name: 'ansible', present: program('ansible-playbook') }

/** `python3 -m venv` needs ensurepip, which Debian and Ubuntu ship apart from python3. */
export const PYTHON_VENV: HostPackage = {
  name: 'python3-venv',
  present: cmd('python3', '-c', 'import ensurepip')
}

export interface HostNeed {
  /** Why the packages are needed, for the log and the error (`the probe tier`, `mode images`). */
  readonly why: string
  readonly packages: readonly HostPackage[]
}

/** The packages whose `present` check fails, in the order given. */
export async function missingPackages(
  packages: readonly HostPackage[],
  exec: Executor,
  signal?: AbortSignal
): Promise<HostPackage[]> {
  const missing: HostPackage[] = []
  for (const p of packages) {
    const r = await exec.run(p.present, { timeoutMs: 30_000, signal })
    if (r.exitCode !== 0) missing.push(p)
  }
  return missing
}
