import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { CleanupLedger } from '../../src/cleanup/ledger.js'
import { processExecutor } from '../../src/exec/executor.js'
import type { HostContext } from '../../src/host/context.js'
import {
  program,
  PYTHON_VENV,
  SYSTEM_ANSIBLE,
  VM_PACKAGES,
  type HostNeed
} from '../../src/host/host-needs.js'
import { cannotInstallMessage, hostNeeds, prepareHost } from '../../src/host/prepare-host.js'
import { InputErrors } from '../../src/inputs/errors.js'
import { collectingLog } from '../vm/vm-env.js'
import { tempDir } from '../helpers.js'

function host(lines: string[] = []): HostContext {
  const dir = tempDir()
  return {
    exec: processExecutor,
    ledger: new CleanupLedger(join(dir, 'ledger.json')),
    log: collectingLog(lines),
    signal: new AbortController().signal,
    workDir: dir
  }
}

const names = (needs: HostNeed[]) => needs.map(n => [n.why, n.packages.map(p => p.name)])
const VM = VM_PACKAGES.map(p => p.name)

describe('hostNeeds', () => {
  const base = { kubesprayPath: null, ansible: 'auto' as const }

  it('the lint tier alone needs nothing on the host', () => {
    expect(hostNeeds({ ...base, tiers: ['lint'] }, { buildsImages: false, onRunner: false })).toEqual([])
    expect(
      hostNeeds({ ...base, tiers: ['lint'], kubesprayPath: '/k' }, { buildsImages: false, onRunner: true })
    ).toEqual([])
  })

  it('a tier that boots nodes needs the VM packages; with a checkout, the Ansible that runs it', () => {
    expect(
      names(hostNeeds({ ...base, tiers: ['lint', 'probe'] }, { buildsImages: false, onRunner: false }))
    ).toEqual([['the probe tier(s)', VM]])
    const checkout = { ...base, tiers: ['probe', 'join'] as const, kubesprayPath: '/k' }
    expect(
      names(hostNeeds({ ...checkout, tiers: [...checkout.tiers] }, { buildsImages: false, onRunner: false }))
    ).toEqual([
      ['the probe, join tier(s)', VM],
      ['Ansible for the checkout (ansible: auto)', [SYSTEM_ANSIBLE.name]]
    ])
    // On a runner `auto` installs the checkout's requirements.txt in a venv: python3-venv, not Debian's Ansible.
    expect(
      names(hostNeeds({ ...checkout, tiers: ['join'] }, { buildsImages: false, onRunner: true }))[1]
    ).toEqual(['Ansible for the checkout (ansible: auto)', [PYTHON_VENV.name]])
    expect(
      names(
        hostNeeds({ ...checkout, tiers: ['join'], ansible: 'venv' }, { buildsImages: false, onRunner: false })
      )[1]![1]
    ).toEqual([PYTHON_VENV.name])
  })

  it('mode images needs the VM packages and no Ansible', () => {
    expect(
      names(
        hostNeeds({ ...base, tiers: ['join'], kubesprayPath: '/k' }, { buildsImages: true, onRunner: false })
      )
    ).toEqual([['mode images', VM]])
  })
})

describe('cannotInstallMessage', () => {
  it('names what is missing, for what, why it was not installed, and the command as root', () => {
    expect(
      cannotInstallMessage(['qemu-utils', 'ansible'], ['the probe tier(s)', 'Ansible'], 'never', null)
    ).toBe(
      'this host lacks qemu-utils ansible (for the probe tier(s); Ansible) and runner-setup is "never", so the run ' +
        'does not install them. Install them as root with `apt-get update -q && env DEBIAN_FRONTEND=noninteractive ' +
        "apt-get install -y -q --no-install-recommends qemu-utils ansible` (or your distribution's equivalents), " +
        'then run again; or set runner-setup: auto to let the run install them'
    )
    expect(cannotInstallMessage(['debootstrap'], ['mode images'], 'auto', 'this host is fedora')).toContain(
      'and "auto" cannot install them: this host is fedora. Install them as root with `apt-get update -q && '
    )
  })
})

describe('prepareHost', () => {
  const absent: HostNeed = {
    why: 'the test',
    packages: [{ name: 'zjm-no-such-package', present: program('zjm-no-such-program') }]
  }

  it('does nothing when nothing is needed, or when everything needed is there', async () => {
    const lines: string[] = []
    await prepareHost('auto', [], host(lines))
    await prepareHost(
      'never',
      [{ why: 'the test', packages: [{ name: 'sh', present: program('sh') }] }],
      host(lines)
    )
    expect(lines).toEqual([])
  })

  it('with runner-setup never, a missing package is an input error naming the install command', async () => {
    const e = await prepareHost('never', [absent], host()).catch((err: unknown) => err)
    expect(e).toBeInstanceOf(InputErrors)
    const [p] = (e as InputErrors).problems
    expect(p!.input).toBe('runner-setup')
    expect(p!.message).toContain(
      'this host lacks zjm-no-such-package (for the test) and runner-setup is "never"'
    )
    expect(p!.message).toContain('apt-get install -y -q --no-install-recommends zjm-no-such-package`')
  })

  // A real install of a small package through the path `auto` takes on a Debian host as root: apt-get
  // update and install, each line printed, the package's program usable afterwards. It changes the host,
  // so it runs only where the real-VM tests run (CI, which installs packages anyway), and removes it again.
  const canInstall =
    process.getuid?.() === 0 && existsSync('/usr/bin/apt-get') && process.env.ZJM_VM_TESTS === '1'
  ;(canInstall ? it : it.skip)(
    'with runner-setup auto on Debian as root, installs a missing package with apt, printing each command',
    async () => {
      spawnSync('apt-get', ['remove', '-y', '-q', 'hello'], { stdio: 'ignore' })
      const lines: string[] = []
      const need: HostNeed = { why: 'the test', packages: [{ name: 'hello', present: program('hello') }] }
      try {
        await prepareHost('auto', [need], host(lines))
        expect(lines).toEqual([
          'host setup: installing hello for the test (runner-setup: auto)',
          'host setup: apt-get update -q',
          'host setup: env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends hello'
        ])
        expect(spawnSync('hello', [], { encoding: 'utf8' }).stdout).toBe('Hello, world!\n')
      } finally {
        spawnSync('apt-get', ['remove', '-y', '-q', 'hello'], { stdio: 'ignore' })
      }
    },
    300_000
  )
})
