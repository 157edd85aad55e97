import { describe, expect, it } from '@jest/globals'
import { cmd } from '../../src/exec/command.js'
import { asRoot } from '../../src/exec/privilege.js'

describe('asRoot', () => {
  const command = {
    ...cmd('apt-get', 'install', '-y', 'qemu-utils'),
    env: { DEBIAN_FRONTEND: 'noninteractive' }
  }

  it('leaves the command alone for uid 0', () => {
    expect(asRoot(command, 0)).toBe(command)
  })

  it('goes through sudo -n env with the environment as arguments otherwise', () => {
    expect(asRoot(command, 1001)).toEqual({
      program: 'sudo',
      args: ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', 'qemu-utils'],
      env: undefined
    })
  })

  it('keeps stdin input and passes commands without env straight to env', () => {
    const tee = { ...cmd('tee', '/etc/udev/rules.d/x.rules'), input: 'RULE\n' }
    expect(asRoot(tee, 1001)).toEqual({
      program: 'sudo',
      args: ['-n', 'env', 'tee', '/etc/udev/rules.d/x.rules'],
      input: 'RULE\n',
      env: undefined
    })
  })
})
