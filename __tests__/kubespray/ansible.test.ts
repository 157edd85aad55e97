import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { processExecutor } from '../../src/exec/executor.js'
import {
  inventoryListCommand,
  playbookCommand,
  provideAnsible,
  venvCommands,
  type AnsibleTools
} from '../../src/kubespray/ansible.js'
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
  })
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
      onRunner: true
    })
    expect(a).toEqual({
      kind: 'ready',
      tools: {
        bin: '',
        description: expect.stringMatching(
          /^ansible-playbook \[core 2\.\d+\.\d+\] \(system\)$/
        ) as unknown as string
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
      onRunner: false
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
      onRunner: false
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
    const exec = processExecutor
    // This machine cannot reach PyPI at all; a closed loopback port makes pip fail at once, not after retries.
    const offline = { PIP_INDEX_URL: 'http://127.0.0.1:9/simple', PIP_RETRIES: '0', PIP_TIMEOUT: '5' }
    const a = await provideAnsible({
      source: 'auto',
      kubespray,
      venvDir,
      exec: { run: (c, o) => exec.run({ ...c, env: { ...c.env, ...offline } }, o) },
      signal,
      onRunner: true
    })
    expect(a.kind).toBe('unavailable')
    const reason = (a as { reason: string }).reason
    expect(reason).toContain(
      `could not install Ansible from ${join(kubespray, 'requirements.txt')} into a virtualenv (is PyPI reachable?): ${join(venvDir, 'bin', 'pip')} install`
    )
    expect(reason).toMatch(/No matching distribution found for ansible-core==2\.17\.14/)
  }, 120_000)

  it('the virtualenv is made and kubespray’s requirements installed into it', () => {
    expect(venvCommands('/w/venv', '/k/requirements.txt').map(c => [c.program, ...c.args])).toEqual([
      ['python3', '-m', 'venv', '/w/venv'],
      ['/w/venv/bin/pip', 'install', '--disable-pip-version-check', '--no-input', '-r', '/k/requirements.txt']
    ])
  })
})
