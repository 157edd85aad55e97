import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { cmd } from '../../src/exec/command.js'
import { processExecutor } from '../../src/exec/executor.js'
import {
  keygenCommand,
  scpFromCommand,
  scpToCommand,
  sshCommand,
  sshForwardCommand,
  sshMasterCommand
} from '../../src/providers/qemu/ssh.js'
import { tempDir } from '../helpers.js'

const target = { port: 40222, identity: '/work/run/id_ed25519' }

const OPTIONS = [
  '-i',
  '/work/run/id_ed25519',
  '-o',
  'IdentitiesOnly=yes',
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'LogLevel=ERROR',
  '-o',
  'BatchMode=yes'
]
const KEEPALIVE = ['-o', 'ServerAliveInterval=10', '-o', 'ServerAliveCountMax=6']

describe('ssh commands', () => {
  it('sshCommand runs the remote command as root on 127.0.0.1 as one quoted line', () => {
    const c = sshCommand(target, cmd('zfs', 'list', '-H', '-o', 'name'))
    expect(c.program).toBe('ssh')
    expect(c.args).toEqual([
      ...OPTIONS,
      '-o',
      'ConnectTimeout=10',
      ...KEEPALIVE,
      '-p',
      '40222',
      'root@127.0.0.1',
      '--',
      'zfs list -H -o name'
    ])
  })

  it('with a master connection, commands and copies open a channel on it and never start a master', () => {
    const shared = { ...target, controlPath: '/work/run/probe.ssh' }
    for (const c of [sshCommand(shared, cmd('true')), scpToCommand(shared, '/a', '/b')]) {
      expect(c.args.slice(0, 4)).toEqual(['-o', 'ControlPath=/work/run/probe.ssh', '-o', 'ControlMaster=no'])
    }
    expect(sshCommand(target, cmd('true')).args.join(' ')).not.toContain('Control')
  })

  it('the master runs in the foreground until killed, and a forward keeps a connection of its own', () => {
    const shared = { ...target, controlPath: '/work/run/probe.ssh' }
    const master = sshMasterCommand(target, '/work/run/probe.ssh').args
    expect(master).toEqual(
      expect.arrayContaining([
        '-N',
        'ControlMaster=yes',
        'ControlPath=/work/run/probe.ssh',
        'ControlPersist=no'
      ])
    )
    expect(master).not.toContain('-f')
    // Through a master the forward would belong to the master, and the ssh that asked for it would exit.
    expect(sshForwardCommand(shared, '/l.sock', '/r.sock').args.join(' ')).not.toContain('Control')
  })

  it('sshCommand takes the connect timeout it is given', () => {
    const args = sshCommand(target, cmd('true'), 3).args
    expect(args).toContain('ConnectTimeout=3')
    expect(args).not.toContain('ConnectTimeout=10')
  })

  it('the remote line survives a shell: spaces, quotes and $(…) arrive as literal words', () => {
    const marker = join(tempDir(), 'pwned')
    const words = ['/var/lib/my dir/file', `$(touch ${marker})`, "it's", '`id`', '']
    const line = sshCommand(target, cmd('printf', '%s\\n', ...words)).args.at(-1)!
    expect(line).toBe(`printf '%s\\n' '/var/lib/my dir/file' '$(touch ${marker})' 'it'\\''s' '\`id\`' ''`)
    const r = spawnSync('sh', ['-c', line], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(`${words.join('\n')}\n`)
    expect(existsSync(marker)).toBe(false)
  })

  it('scpToCommand copies a local file to the guest', () => {
    const c = scpToCommand(target, '/work/run/kubespray.tgz', '/root/kubespray.tgz')
    expect(c.program).toBe('scp')
    expect(c.args).toEqual([
      ...OPTIONS,
      '-o',
      'ConnectTimeout=10',
      ...KEEPALIVE,
      '-q',
      '-P',
      '40222',
      '/work/run/kubespray.tgz',
      'root@127.0.0.1:/root/kubespray.tgz'
    ])
  })

  it('scpFromCommand copies a guest file to the host', () => {
    const c = scpFromCommand(target, '/var/log/containerd.log', '/out/cp-containerd.log')
    expect(c.program).toBe('scp')
    expect(c.args).toEqual([
      ...OPTIONS,
      '-o',
      'ConnectTimeout=10',
      ...KEEPALIVE,
      '-q',
      '-P',
      '40222',
      'root@127.0.0.1:/var/log/containerd.log',
      '/out/cp-containerd.log'
    ])
  })

  it('keygenCommand makes an unencrypted ed25519 key in the directory', () => {
    expect(keygenCommand('/work/run')).toEqual({
      program: 'ssh-keygen',
      args: ['-q', '-t', 'ed25519', '-N', '', '-C', 'zfs-join-matrix', '-f', '/work/run/id_ed25519']
    })
  })

  it('keygenCommand works for real through the process executor', async () => {
    const dir = tempDir()
    const r = await processExecutor.run(keygenCommand(dir))
    expect([r.exitCode, r.stderr]).toEqual([0, ''])
    const priv = join(dir, 'id_ed25519')
    expect(readFileSync(priv, 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/)
    expect(statSync(priv).mode & 0o777).toBe(0o600)
    expect(readFileSync(`${priv}.pub`, 'utf8')).toMatch(/^ssh-ed25519 [A-Za-z0-9+/=]+ zfs-join-matrix\n$/)
    // No passphrase: the public key can be derived without one.
    const derived = spawnSync('ssh-keygen', ['-y', '-P', '', '-f', priv], { encoding: 'utf8' })
    expect(derived.status).toBe(0)
    expect(derived.stdout.split(' ').slice(0, 2)).toEqual(
      readFileSync(`${priv}.pub`, 'utf8').split(' ').slice(0, 2)
    )
  })
})
