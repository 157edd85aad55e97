/** Inventories resolved by the real ansible-inventory, as doctor --inventory does. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { processExecutor } from '../../src/exec/executor.js'
import { doctorSshCommand, parseHostArg } from '../../src/doctor/doctor-target.js'
import { inventoryCommand, targetsFromInventory } from '../../src/doctor/inventory-targets.js'
import { tempDir } from '../helpers.js'

async function resolve(ini: string) {
  const file = join(tempDir(), 'hosts.ini')
  writeFileSync(file, ini)
  const r = await processExecutor.run(inventoryCommand(file), { timeoutMs: 120_000 })
  expect(r.exitCode).toBe(0)
  return targetsFromInventory(r.stdout)
}

describe('doctor --inventory', () => {
  it("takes k8s_cluster's hosts with their users, ports, keys and ssh args, through kubespray's bastion", async () => {
    const t = await resolve(
      [
        '[all]',
        'cp1 ansible_host=10.0.0.1 ansible_user=ubuntu ansible_port=2222 ansible_ssh_private_key_file=/keys/id',
        "w1 ansible_host=10.0.0.2 ansible_ssh_common_args='-o StrictHostKeyChecking=accept-new'",
        'other ansible_host=10.9.9.9',
        'bastion ansible_host=203.0.113.5 ansible_user=jump',
        '[bastion]',
        'bastion',
        '[kube_control_plane]',
        'cp1',
        '[kube_node]',
        'w1',
        'cp1',
        '[k8s_cluster:children]',
        'kube_control_plane',
        'kube_node',
        ''
      ].join('\n')
    )
    if (typeof t === 'string') throw new Error(t)
    expect(t.group).toBe('k8s_cluster')
    expect(t.unusable).toEqual([])
    expect(t.targets).toEqual([
      {
        name: 'cp1',
        host: '10.0.0.1',
        user: 'ubuntu',
        port: 2222,
        identity: '/keys/id',
        jump: 'jump@203.0.113.5',
        sshArgs: []
      },
      {
        name: 'w1',
        host: '10.0.0.2',
        jump: 'jump@203.0.113.5',
        sshArgs: ['-o', 'StrictHostKeyChecking=accept-new']
      }
    ])
    expect(doctorSshCommand(t.targets[0]!, 'x').args).toEqual([
      ...['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=15', '-o', 'LogLevel=ERROR'],
      ...['-p', '2222', '-i', '/keys/id', '-o', 'IdentitiesOnly=yes', '-J', 'jump@203.0.113.5'],
      ...['--', 'ubuntu@10.0.0.1', 'sh -s']
    ])
  })

  it('an inventory without k8s_cluster is taken whole; a templated value makes that node unusable, not the run', async () => {
    const t = await resolve(
      ['[nodes]', 'a ansible_host=192.0.2.1', "b ansible_host=\"{{ lookup('env', 'B') }}\"", ''].join('\n')
    )
    if (typeof t === 'string') throw new Error(t)
    expect(t.group).toBe('all')
    expect(t.targets.map(x => x.name)).toEqual(['a'])
    expect(t.unusable).toEqual([
      {
        name: 'b',
        problem: expect.stringMatching(/its ssh host is templated .*name the node as HOST instead/)
      }
    ])
  })

  it('no hosts, or no JSON, is a reason', () => {
    expect(targetsFromInventory('{"_meta":{"hostvars":{}},"all":{"children":["ungrouped"]}}')).toBe(
      'the inventory has no hosts in all'
    )
    expect(targetsFromInventory('not json')).toMatch(/^ansible-inventory printed no JSON/)
  })
})

describe('HOST arguments', () => {
  it('[user@]host[:port], IPv6 in brackets; anything else is named', () => {
    expect(parseHostArg('root@10.0.0.3:22')).toEqual({
      name: 'root@10.0.0.3:22',
      host: '10.0.0.3',
      user: 'root',
      port: 22,
      sshArgs: []
    })
    expect(parseHostArg('node1')).toEqual({ name: 'node1', host: 'node1', sshArgs: [] })
    expect(parseHostArg('[2001:db8::1]:2200')).toMatchObject({ host: '2001:db8::1', port: 2200 })
    expect(parseHostArg('a b')).toBe('"a b" is not [user@]host[:port]')
    expect(parseHostArg('h:70000')).toBe('"h:70000": port 70000 is not 1-65535')
  })
})
