import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { parse, stringify } from 'yaml'
import { processExecutor } from '../../src/exec/executor.js'
import type { RemoteCache } from '../../src/host/remote-cache.js'
import {
  inventoryListCommand,
  playbookCommand,
  installCommand,
  provideAnsible,
  type AnsibleTools
} from '../../src/kubespray/ansible.js'
import { wheelhouseKey, type WheelCache } from '../../src/kubespray/ansible-wheels.js'
import { cellVars } from '../../src/kubespray/cell-vars.js'
import { writeInventory, type InventoryNode } from '../../src/kubespray/inventory.js'
import { runPlaybook } from '../../src/kubespray/run-playbook.js'
import { makeCell } from '../../src/plan/cell.js'
import { tempDir } from '../helpers.js'

const SYSTEM: AnsibleTools = { bin: '', description: 'system' }
const signal = new AbortController().signal

function node(name: string, port: number, ip: string): InventoryNode {
  return { name, ip, ssh: { host: '127.0.0.1', port, user: 'root', identity: '/run/zjm/id_ed25519' } }
}

interface InventoryList {
  _meta: { hostvars: Record<string, Record<string, unknown>> }
  [group: string]: { hosts?: string[]; children?: string[] } | InventoryList['_meta']
}

describe('the generated inventory, as Ansible reads it', () => {
  it('has kubespray’s scale layout, the ssh access of each VM and the cell’s group vars', async () => {
    const dir = tempDir()
    const userVars = {
      files_repo: 'http://10.0.0.1:8080',
      containerd_registries_mirrors: [{ prefix: 'docker.io' }]
    }
    const cell = makeCell('debian-12', 'zfs', 'ctr', 'fixed')
    const inventory = writeInventory(dir, {
      controlPlane: node('zjm-cp', 2201, '10.77.0.1'),
      worker: node('zjm-worker', 2202, '10.77.0.2'),
      vars: userVars,
      workerVars: cellVars(cell),
      controlPlaneVars: { containerd_snapshotter: 'native' }
    })
    const r = await processExecutor.run(inventoryListCommand(SYSTEM, inventory), { signal })
    expect(r.stderr).not.toMatch(/warning/i)
    expect(r.exitCode).toBe(0)
    const list = JSON.parse(r.stdout) as InventoryList
    const group = (name: string) => list[name] as { hosts?: string[]; children?: string[] }
    expect(group('kube_control_plane').hosts).toEqual(['zjm-cp'])
    expect(group('etcd').hosts).toEqual(['zjm-cp'])
    expect(group('kube_node').hosts).toEqual(['zjm-cp', 'zjm-worker'])
    expect(group('for_scale').hosts).toEqual(['zjm-worker'])
    expect(group('k8s_cluster').children!.sort()).toEqual(['kube_control_plane', 'kube_node'])
    const worker = list._meta.hostvars['zjm-worker']!
    expect(worker).toMatchObject({
      ansible_host: '127.0.0.1',
      ansible_port: 2202,
      ansible_user: 'root',
      ansible_ssh_private_key_file: '/run/zjm/id_ed25519',
      ip: '10.77.0.2',
      access_ip: '10.77.0.2',
      // The user's vars pass through untouched, lists included; the cell's are the worker's host vars.
      files_repo: 'http://10.0.0.1:8080',
      containerd_registries_mirrors: [{ prefix: 'docker.io' }],
      container_manager: 'containerd',
      containerd_snapshotter: 'zfs',
      nerdctl_snapshotter: 'zfs',
      image_command_tool: 'nerdctl',
      nerdctl_image_pull_command:
        '{{ bin_dir }}/ctr -n k8s.io images pull --snapshotter zfs{% if containerd_registries_mirrors is defined %} --hosts-dir {{ containerd_cfg_dir }}/certs.d{%- endif -%}'
    })
    // The control plane keeps the configuration it was built with: the cell's vars are the worker's.
    const cp = list._meta.hostvars['zjm-cp']!
    expect(cp).toMatchObject({ ansible_port: 2201, ip: '10.77.0.1', files_repo: 'http://10.0.0.1:8080' })
    expect(cp).toMatchObject({ containerd_snapshotter: 'native' })
    expect(cp).not.toHaveProperty('nerdctl_image_pull_command')
    // Every host knows every host's address, so kubespray ≤ v2.27 never gathers facts from a worker
    // that is not booted yet (the control plane is built while the worker's entry is a placeholder).
    for (const host of [cp, worker])
      expect(host).toMatchObject({ fallback_ips: { 'zjm-cp': '10.77.0.1', 'zjm-worker': '10.77.0.2' } })
  })
})

describe('the generated inventory with a kubespray ≤ v2.27 defaults role (the fixture’s), as cluster.yml meets it', () => {
  /**
   * The control plane is this machine (local connection); the worker is the placeholder the control
   * plane is built with, on a port nothing listens on. Kubespray ≤ v2.27 gathers facts from every
   * inventory host unless `fallback_ips` is set; found by running v2.23.3 against these VMs.
   */
  async function buildControlPlane(withFallbacks: boolean) {
    const dir = tempDir()
    const inventory = writeInventory(dir, {
      controlPlane: node('cp-debian-12', 22, '10.77.0.1'),
      worker: node('w-debian-12-0', 1, '10.77.0.2'),
      vars: {},
      workerVars: {},
      controlPlaneVars: { ansible_connection: 'local', ansible_python_interpreter: 'python3' }
    })
    if (!withFallbacks) {
      const doc = parse(readFileSync(inventory, 'utf8')) as { all: { vars?: unknown } }
      delete doc.all.vars
      writeFileSync(inventory, stringify(doc))
    }
    writeFileSync(
      join(dir, 'defaults.yml'),
      '- hosts: k8s_cluster:etcd\n  roles:\n    - role: kubespray_defaults\n'
    )
    const command = playbookCommand(
      SYSTEM,
      { kubespray: dir, inventory, tempDir: dir },
      { playbook: 'defaults.yml', limit: '!for_scale' }
    )
    const roles = join(import.meta.dirname, '../fixtures/kubespray-join/roles')
    return processExecutor.run(
      {
        ...command,
        args: command.args.filter(a => a !== '--become'),
        env: { ...command.env, ANSIBLE_ROLES_PATH: roles }
      },
      { signal, timeoutMs: 120_000 }
    )
  }

  it('skips the gathering, so the worker that is not booted yet is never contacted', async () => {
    const r = await buildControlPlane(true)
    expect(r.stdout).toMatch(
      /TASK \[kubespray_defaults : Kubespray defaults \| Gather ansible_default_ipv4 from all hosts\] \*+\nskipping: /
    )
    expect(r.stdout).toMatch(/^cp-debian-12 +: ok=\d+ +changed=0 +unreachable=0 +failed=0/m)
    expect(r.exitCode).toBe(0)
  }, 120_000)

  it('without fallback_ips the same run fails on the unreachable placeholder, as kubespray v2.23.3 did', async () => {
    const r = await buildControlPlane(false)
    expect(r.exitCode).not.toBe(0)
    expect(r.stdout).toMatch(/fatal: \[cp-debian-12 -> \{\{ item \}\}\]: UNREACHABLE!.*w-debian-12-0/)
  }, 120_000)
})

describe('ansible-playbook', () => {
  it('runs from the checkout against the inventory, plain and unbuffered', () => {
    const command = playbookCommand(
      { bin: '/tmp/venv/bin', description: 'venv' },
      { kubespray: '/src/kubespray', inventory: '/run/inv/hosts.yml', tempDir: '/run/ansible-tmp' },
      { playbook: 'reset.yml', limit: 'for_scale', extraVars: { reset_confirmation: 'yes' } }
    )
    expect([command.program, ...command.args]).toEqual([
      '/tmp/venv/bin/ansible-playbook',
      '-i',
      '/run/inv/hosts.yml',
      '--limit',
      'for_scale',
      '--become',
      '-e',
      '{"reset_confirmation":"yes"}',
      'reset.yml'
    ])
    expect(command.cwd).toBe('/src/kubespray')
    expect(command.env).toMatchObject({
      ANSIBLE_NOCOLOR: '1',
      PYTHONUNBUFFERED: '1',
      ANSIBLE_LOCAL_TEMP: '/run/ansible-tmp'
    })
  })

  it('streams each line of a real run to the log and keeps the whole output in the log file', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'hosts.yml'), 'all:\n  hosts:\n    local:\n      ansible_connection: local\n')
    writeFileSync(
      join(dir, 'say.yml'),
      [
        '- hosts: all',
        '  gather_facts: false',
        '  tasks:',
        '    - name: Say which snapshotter',
        '      debug:',
        '        msg: "snapshotter={{ snapshotter }}"',
        '    - name: Fail like a join does',
        '      fail:',
        '        msg: "dial tcp 127.0.0.1:6443: connect: connection refused"',
        ''
      ].join('\n')
    )
    const command = playbookCommand(
      SYSTEM,
      { kubespray: dir, inventory: join(dir, 'hosts.yml'), tempDir: dir },
      { playbook: 'say.yml', limit: 'all', extraVars: { snapshotter: 'zfs' } }
    )
    const lines: string[] = []
    const log = {
      info: (m: string) => void lines.push(m),
      warning: () => undefined,
      error: () => undefined,
      group: <T>(_t: string, body: () => Promise<T>) => body()
    }
    const logFile = join(dir, 'ansible-say.log')
    const r = await runPlaybook(command, {
      exec: processExecutor,
      log,
      logFile,
      signal,
      timeoutMs: 120_000
    })
    expect(r.exitCode).toBe(2)
    expect(lines).toContain(
      '  TASK [Say which snapshotter] ***************************************************'
    )
    expect(lines.some(l => l.includes('"msg": "snapshotter=zfs"'))).toBe(true)
    expect(lines.some(l => l.startsWith('  local') && l.includes('failed=1'))).toBe(true)
    const written = readFileSync(logFile, 'utf8')
    expect(written.split('\n')[0]).toBe(
      `$ ansible-playbook -i ${join(dir, 'hosts.yml')} --limit all --become -e '{"snapshotter":"zfs"}' say.yml`
    )
    expect(written).toContain('dial tcp 127.0.0.1:6443: connect: connection refused')
  })
})

describe('providing Ansible', () => {
  it('system: the ansible-playbook on PATH, with its version', async () => {
    const a = await provideAnsible({
      source: 'system',
      kubespray: tempDir(),
      venvDir: '/nonexistent',
      exec: processExecutor,
      signal,
      onRunner: true,
      wheelCache: { dir: tempDir() }
    })
    expect(a).toEqual({
      kind: 'ready',
      tools: {
        bin: '',
        description: expect.stringMatching(
          /^ansible-playbook \[core 2\.\d+\.\d+\] \(system\)$/
        ) as unknown as string,
        // What the render checks a checkout's needs against.
        versions: {
          core: expect.stringMatching(/^2\.\d+\.\d+$/) as unknown as string,
          jinja: expect.stringMatching(/^3\.\d+\.\d+$/) as unknown as string
        }
      }
    })
  })

  it('system without ansible-playbook on PATH: unavailable, saying how to get it', async () => {
    const exec = processExecutor
    const a = await provideAnsible({
      source: 'auto',
      kubespray: tempDir(),
      venvDir: '/nonexistent',
      exec: { run: (c, o) => exec.run({ ...c, env: { PATH: '/nonexistent' } }, o) },
      signal,
      onRunner: false,
      wheelCache: { dir: tempDir() }
    })
    expect(a).toEqual({
      kind: 'unavailable',
      reason:
        "ansible-playbook is not installed (ansible: auto); install it, or use ansible: venv to install kubespray's requirements.txt"
    })
  })

  it('venv without a requirements.txt: unavailable, naming the file', async () => {
    const kubespray = tempDir()
    const a = await provideAnsible({
      source: 'venv',
      kubespray,
      venvDir: join(kubespray, 'venv'),
      exec: processExecutor,
      signal,
      onRunner: false,
      wheelCache: { dir: tempDir() }
    })
    expect(a).toEqual({
      kind: 'unavailable',
      reason: `the kubespray checkout has no requirements.txt to install Ansible from (${join(kubespray, 'requirements.txt')})`
    })
  })

  it('venv on a runner with no route to PyPI: a real virtualenv, a real pip that fails, a clear reason', async () => {
    const kubespray = tempDir()
    writeFileSync(join(kubespray, 'requirements.txt'), 'ansible-core==2.17.14\n')
    const venvDir = join(tempDir(), 'venv')
    const wheels = tempDir()
    const exec = processExecutor
    // This machine cannot reach PyPI at all; a closed loopback port makes pip fail at once, not after retries.
    const offline = { PIP_INDEX_URL: 'http://127.0.0.1:9/simple', PIP_RETRIES: '0', PIP_TIMEOUT: '5' }
    const a = await provideAnsible({
      source: 'auto',
      kubespray,
      venvDir,
      exec: { run: (c, o) => exec.run({ ...c, env: { ...c.env, ...offline } }, o) },
      signal,
      onRunner: true,
      wheelCache: { dir: wheels }
    })
    expect(a.kind).toBe('unavailable')
    const reason = (a as { reason: string }).reason
    expect(reason).toContain(
      `could not download the wheels of ${join(kubespray, 'requirements.txt')} (is PyPI reachable?): ${join(venvDir, 'bin', 'pip')} wheel`
    )
    expect(reason).toMatch(/No matching distribution found for ansible-core==2\.17\.14/)
    // Nothing half-downloaded is kept as a wheelhouse.
    expect(readdirSync(wheels)).toEqual([])
  }, 120_000)

  it('venv: wheels downloaded once, then Ansible installed from the cached wheelhouse with no index at all', async () => {
    const { kubespray, index, install: installWith } = fakeIndexCheckout()
    const wheels = tempDir()
    const install = (env: Record<string, string>) => installWith({ dir: wheels }, env)
    const first = await install({ PIP_NO_INDEX: '1', PIP_FIND_LINKS: index })
    expect(first).toEqual({
      kind: 'ready',
      tools: {
        bin: expect.stringMatching(/\/venv\/bin$/) as unknown as string,
        description: `ansible-playbook [core 2.99.0] (virtualenv, ${join(kubespray, 'requirements.txt')}; wheels downloaded)`,
        // The fake prints no Jinja line.
        versions: { core: '2.99.0', jinja: null }
      }
    })
    const [house, ...others] = readdirSync(wheels)
    expect(others).toEqual([])
    expect(house).toMatch(/^zfs-join-matrix-ansible-[0-9a-f]{16}$/)
    expect(readdirSync(join(wheels, house!))).toEqual(['zjm_fake_ansible-1.0-py3-none-any.whl'])

    // The index is gone (an unreachable one): the second install takes the wheelhouse alone.
    const second = await install({ PIP_INDEX_URL: 'http://127.0.0.1:9/simple', PIP_RETRIES: '0' })
    expect(second).toMatchObject({
      kind: 'ready',
      tools: { description: expect.stringMatching(/; wheels cached\)$/) }
    })
    expect(
      execFileSync(join((second as { tools: AnsibleTools }).tools.bin, 'ansible-playbook'), {
        encoding: 'utf8'
      })
    ).toBe('ansible-playbook [core 2.99.0]\n')

    // Other requirements are another wheelhouse, and need the index again.
    writeFileSync(join(kubespray, 'requirements.txt'), 'zjm-fake-ansible==2.0\n')
    const third = await install({ PIP_NO_INDEX: '1', PIP_FIND_LINKS: index })
    expect(third).toMatchObject({
      kind: 'unavailable',
      reason: expect.stringContaining('(is PyPI reachable?)')
    })
    expect(readdirSync(wheels)).toEqual([house])
  }, 180_000)

  it("venv: the wheelhouse goes to GitHub's cache after a download and comes back from it on a new machine", async () => {
    const { index, install: installWith } = fakeIndexCheckout()
    const remote = dirRemoteCache(tempDir())
    const install = (wheels: string, env: Record<string, string>) => installWith({ dir: wheels, remote }, env)
    const first = await install(tempDir(), { PIP_NO_INDEX: '1', PIP_FIND_LINKS: index })
    expect(first).toMatchObject({
      kind: 'ready',
      tools: { description: expect.stringMatching(/wheels downloaded\)$/) }
    })
    expect(remote.saved).toEqual([expect.stringMatching(/^zfs-join-matrix-ansible-[0-9a-f]{16}$/)])
    // A machine with an empty local cache and no index restores the same wheelhouse and installs from it.
    const fresh = tempDir()
    const second = await install(fresh, { PIP_INDEX_URL: 'http://127.0.0.1:9/simple', PIP_RETRIES: '0' })
    expect(second).toMatchObject({
      kind: 'ready',
      tools: { description: expect.stringMatching(/wheels restored\)$/) }
    })
    expect(readdirSync(join(fresh, remote.saved[0]!))).toEqual(['zjm_fake_ansible-1.0-py3-none-any.whl'])
    expect(remote.saved).toHaveLength(1)
  }, 180_000)

  it('installs kubespray’s requirements from the wheelhouse only', () => {
    const c = installCommand('/w/venv', '/cache/ansible-wheels/k', '/k/requirements.txt')
    expect([c.program, ...c.args]).toEqual([
      ...['/w/venv/bin/pip', 'install', '--disable-pip-version-check', '--no-input', '--no-index'],
      ...['--find-links', '/cache/ansible-wheels/k', '-r', '/k/requirements.txt']
    ])
  })

  it('keys a wheelhouse by the requirements, the Python and the OS release', () => {
    const key = wheelhouseKey('ansible==11.13.0\n', 'cpython-312 linux-x86_64', 'ubuntu-24.04')
    expect(key).toMatch(/^zfs-join-matrix-ansible-[0-9a-f]{16}$/)
    expect(wheelhouseKey('ansible==11.13.0\n', 'cpython-312 linux-x86_64', 'ubuntu-24.04')).toBe(key)
    expect(wheelhouseKey('ansible==11.12.0\n', 'cpython-312 linux-x86_64', 'ubuntu-24.04')).not.toBe(key)
    expect(wheelhouseKey('ansible==11.13.0\n', 'cpython-311 linux-x86_64', 'ubuntu-24.04')).not.toBe(key)
    expect(wheelhouseKey('ansible==11.13.0\n', 'cpython-312 linux-x86_64', 'ubuntu-22.04')).not.toBe(key)
  })
})

/**
 * A checkout whose requirements.txt asks for one package, a local index that holds it (it stands in
 * for PyPI, unreachable here: one wheel whose script plays ansible-playbook), and a real venv install
 * with the given wheel cache and pip environment.
 */
function fakeIndexCheckout() {
  const kubespray = tempDir()
  writeFileSync(join(kubespray, 'requirements.txt'), 'zjm-fake-ansible==1.0\n')
  const index = tempDir()
  fakeAnsibleWheel(index)
  const install = (wheelCache: WheelCache, env: Record<string, string>) =>
    provideAnsible({
      source: 'venv',
      kubespray,
      venvDir: join(tempDir(), 'venv'),
      exec: { run: (c, o) => processExecutor.run({ ...c, env: { ...c.env, ...env } }, o) },
      signal,
      onRunner: true,
      wheelCache
    })
  return { kubespray, index, install }
}

/** GitHub's cache as our RemoteCache seam sees it, kept in a directory: what was saved, by key. */
function dirRemoteCache(store: string): RemoteCache & { saved: string[] } {
  const saved: string[] = []
  return {
    saved,
    restore: (dir, key) => {
      if (!existsSync(join(store, key))) return Promise.resolve(false)
      cpSync(join(store, key), dir, { recursive: true })
      return Promise.resolve(true)
    },
    save: (dir, key) => {
      cpSync(dir, join(store, key), { recursive: true })
      saved.push(key)
      return Promise.resolve()
    }
  }
}

/** A real wheel, written by Python's zipfile: a package whose installed script prints an Ansible version. */
function fakeAnsibleWheel(dir: string): void {
  const script = `
import base64, hashlib, sys, zipfile
files = {
    "zjm_fake_ansible/__init__.py": "",
    "zjm_fake_ansible-1.0.data/scripts/ansible-playbook": "#!python\\nprint('ansible-playbook [core 2.99.0]')\\n",
    "zjm_fake_ansible-1.0.dist-info/METADATA": "Metadata-Version: 2.1\\nName: zjm-fake-ansible\\nVersion: 1.0\\n",
    "zjm_fake_ansible-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: zjm\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
record = []
with zipfile.ZipFile(sys.argv[1] + "/zjm_fake_ansible-1.0-py3-none-any.whl", "w") as z:
    for name, text in files.items():
        data = text.encode()
        info = zipfile.ZipInfo(name)
        # pip keeps the mode recorded in the wheel (a regular file, executable for the script).
        info.external_attr = (0o100755 if "/scripts/" in name else 0o100644) << 16
        z.writestr(info, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append("zjm_fake_ansible-1.0.dist-info/RECORD,,")
    z.writestr("zjm_fake_ansible-1.0.dist-info/RECORD", "\\n".join(record) + "\\n")
`
  execFileSync('python3', ['-c', script, dir])
  expect(existsSync(join(dir, 'zjm_fake_ansible-1.0-py3-none-any.whl'))).toBe(true)
}
