/** `zfs-join-matrix doctor` through the bundle: its input errors, --print-commands, an unreachable node. */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { CHECKS } from '../../src/doctor/inspection.js'
import { tempDir } from '../helpers.js'
import { action, fileCommands, root, runnerEnv } from './runner.js'

function doctor(args: string[]) {
  const started = Date.now()
  const r = spawnSync(process.execPath, [join(root, 'dist/cli/index.js'), 'doctor', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: tempDir() },
    timeout: 120_000
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started }
}

describe('doctor CLI', () => {
  it.each([
    [[], /no node given: name HOSTs/],
    [['a b'], /HOST: "a b" is not \[user@\]host\[:port\]/],
    [['--format', 'yaml', 'h'], /format: "yaml" is not one of text, json, markdown/],
    [['--inventory', '/nonexistent/hosts.ini'], /inventory: "\/nonexistent\/hosts.ini" does not exist/],
    [['--inventory', '/etc/hostname', 'h'], /give HOSTs or --inventory, not both/],
    [['--frobnicate', 'h'], /"--frobnicate" is not a flag of doctor/],
    [['-o', '-v', 'h'], /ssh-option: "-v" is not Name=value/],
    [['--identity'], /identity: needs a value/]
  ])('bad input %j: exit 2 naming it, at once', (args, message) => {
    const r = doctor(args)
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stdout).toBe('')
    expect(r.ms).toBeLessThan(5_000)
  })

  it('--print-commands: the ssh command per node from a real inventory and every check, and no session', () => {
    const dir = tempDir()
    const inventory = join(dir, 'hosts.ini')
    writeFileSync(
      inventory,
      '[kube_node]\nw1 ansible_host=192.0.2.10 ansible_user=debian\n[k8s_cluster:children]\nkube_node\n'
    )
    const r = doctor(['--print-commands', '--inventory', inventory, '-o', 'StrictHostKeyChecking=accept-new'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain(
      "ssh -o BatchMode=yes -o ConnectTimeout=15 -o LogLevel=ERROR -o StrictHostKeyChecking=accept-new -- debian@192.0.2.10 'sh -s'"
    )
    for (const c of CHECKS) expect(r.stdout).toContain(c.shell)
  })

  it('a node that refuses ssh is reported as not inspected, exit 1, in every format', () => {
    for (const format of ['text', 'json', 'markdown']) {
      const r = doctor(['--format', format, '-o', 'StrictHostKeyChecking=no', 'root@127.0.0.1:1'])
      expect(r.status).toBe(1)
      expect(r.stderr).toMatch(
        /root@127\.0\.0\.1:1: not inspected: ssh could not log in: .*Connection refused/
      )
      if (format === 'json') {
        expect(JSON.parse(r.stdout)).toEqual({
          nodes: [
            {
              name: 'root@127.0.0.1:1',
              inspected: false,
              problem: expect.stringMatching(/Connection refused/)
            }
          ]
        })
      } else expect(r.stdout).toMatch(/not inspected|NOT INSPECTED/)
    }
  })

  it('--help', () => {
    const r = doctor(['--help'])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^Usage: zfs-join-matrix doctor/)
  })
})

describe('mode: doctor', () => {
  it('a node that refuses ssh: the step fails with an annotation, doctor.json and the summary say why', () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'runner-temp'))
    const env = runnerEnv(dir, {
      mode: 'doctor',
      hosts: 'root@127.0.0.1:1',
      'ssh-options': 'StrictHostKeyChecking=no\nUserKnownHostsFile=/dev/null',
      'output-dir': 'out'
    })
    const r = action('dist/index.js', { ...env, HOME: tempDir() }, dir)
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(
      /::error title=doctor%3A root@127\.0\.0\.1%3A1 not inspected::ssh could not log in: /
    )
    expect(r.stdout).toMatch(/::error::doctor: 0 of 1 node\(s\) inspected; no known signature predicted/)
    const out = fileCommands(join(dir, 'output'))
    expect(out.signatures).toBe('')
    expect(out.conclusion).toBe('failure')
    expect(JSON.parse(readFileSync(out['doctor-json']!, 'utf8'))).toMatchObject({
      nodes: [{ name: 'root@127.0.0.1:1', inspected: false }]
    })
    expect(readFileSync(join(dir, 'summary'), 'utf8')).toMatch(/### root@127\.0\.0\.1:1: not inspected/)
  })

  it.each([
    [{ mode: 'doctor' }, /hosts: is empty, and so is inventory/],
    [{ mode: 'doctor', hosts: 'a@b@c' }, /hosts: "a@b@c" is not \[user@\]host\[:port\]/],
    [{ mode: 'doctor', hosts: 'h', inventory: 'hosts.ini' }, /inventory: "hosts.ini" does not exist/],
    [{ mode: 'doctor', hosts: 'h', 'ssh-options': '-v' }, /ssh-options: "-v" is not Name=value/],
    [{ mode: 'plan', hosts: 'h' }, /hosts: is for mode doctor; mode is "plan"/]
  ])('bad input %j is an input error naming it, before anything runs', (inputs, message) => {
    const dir = tempDir()
    const r = action('dist/index.js', runnerEnv(dir, inputs), dir)
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(message)
  })
})
