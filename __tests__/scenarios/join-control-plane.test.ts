import { describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { findImage } from '../../src/images/catalogue.js'
import { parseConfig } from '../../src/inputs/parse.js'
import type { Node, Provider } from '../../src/providers/provider.js'
import { ControlPlanes } from '../../src/scenarios/join/control-plane.js'
import { joinScenarios, type JoinEnv } from '../../src/scenarios/join/join-scenario.js'
import type { ScenarioContext } from '../../src/scenarios/scenario.js'
import { NO_CHECKOUT_PULL } from '../../src/kubespray/cell-vars.js'
import { fakeExecutor, recordingLog, type Reply } from '../fakes.js'
import { tempDir } from '../helpers.js'

const image = findImage('debian-12')!
const other = findImage('debian-13')!

/** A provider whose nodes only record that they were booted and destroyed. */
function recordingProvider() {
  const events: string[] = []
  // What the nodes' health() answers: null while they answer.
  const health: { answer: string | null } = { answer: null }
  const provider: Provider = {
    name: 'recording',
    unavailableReason: () => Promise.resolve(null),
    createLink: () =>
      Promise.resolve([
        { id: 'l', address: '192.0.2.1/24', peerAddress: '192.0.2.2' },
        { id: 'l', address: '192.0.2.2/24', peerAddress: '192.0.2.1' }
      ] as const),
    boot: (spec, options) => {
      events.push(`boot ${options.name}`)
      const node = {
        name: options.name,
        access: { host: '127.0.0.1', port: 2222, user: 'root', identity: '/k' },
        health: () => Promise.resolve(health.answer && `the VM ${options.name} ${health.answer}`),
        destroy: () => Promise.resolve(void events.push(`destroy ${options.name}`))
      }
      return Promise.resolve(node as unknown as Node)
    },
    close: () => Promise.resolve()
  }
  return { provider, events, health }
}

function setup(tiers: string, playbook: Reply = { exitCode: 0 }) {
  const { provider, events, health } = recordingProvider()
  const exec = fakeExecutor(c => {
    if (c.program !== 'ansible-playbook') throw new Error(`unexpected ${c.program}`)
    events.push(`ansible-playbook ${c.args.at(-1)}`)
    return playbook
  })
  const workDir = tempDir()
  const config = parseConfig({ tiers, 'guest-network': 'outbound' }, { cwd: workDir })
  const log = recordingLog()
  const env: JoinEnv = {
    config,
    host: { exec, log, ledger: undefined as never, signal: new AbortController().signal, workDir },
    provider: () => Promise.resolve(provider),
    onRunner: false,
    kubespray: () =>
      Promise.resolve({
        kind: 'ready',
        path: workDir,
        reading: () => ({ kind: 'kubespray', tree: { pullCommands: [] } })
      } as never),
    ansible: () => Promise.resolve({ kind: 'ready', tools: { bin: '', description: 'system' } } as never)
  }
  const context: ScenarioContext = {
    config,
    log,
    signal: new AbortController().signal,
    workDir,
    imageLogDir: join(workDir, 'logs', image.name),
    cells: []
  }
  const build = {
    ansible: { bin: '', description: 'system' },
    kubespray: workDir,
    pull: NO_CHECKOUT_PULL,
    context
  }
  return { env, events, build, context, health }
}

describe("one control plane per image for the run's join tiers", () => {
  it('is built once, kept through the join tier, and destroyed when the rejoin tier closes', async () => {
    const { env, events, build, context } = setup('join, rejoin')
    const planes = new ControlPlanes(env, 'rejoin')
    const first = await planes.acquire(image, build)
    expect(await planes.acquire(image, build)).toBe(first)
    expect(events).toEqual(['boot cp-debian-12', 'ansible-playbook cluster.yml'])
    expect(existsSync(join(context.imageLogDir, 'control-plane', 'ansible-cluster.log'))).toBe(true)

    await planes.release(image, 'join')
    expect(events).not.toContain('destroy cp-debian-12')
    const again = await planes.acquire(image, build)
    expect(again).toBe(first)
    await planes.release(image, 'rejoin')
    expect(events.filter(e => e.startsWith('destroy'))).toEqual(['destroy cp-debian-12'])
  })

  it('numbers workers per control plane, so the rejoin tier never reuses a join worker’s node name', async () => {
    const { env, build } = setup('join, rejoin')
    const planes = new ControlPlanes(env, 'rejoin')
    const plane = await planes.acquire(image, build)
    expect([plane.nextWorkerName(), plane.nextWorkerName()]).toEqual(['w-debian-12-1', 'w-debian-12-2'])
    expect((await planes.acquire(image, build)).nextWorkerName()).toBe('w-debian-12-3')
  })

  it('with the join tier alone, its close destroys the plane and the next open builds a new one', async () => {
    const { env, events, build } = setup('join')
    const planes = new ControlPlanes(env, 'join')
    await planes.acquire(image, build)
    await planes.release(image, 'join')
    await planes.acquire(image, build)
    expect(events).toEqual([
      ...['boot cp-debian-12', 'ansible-playbook cluster.yml', 'destroy cp-debian-12'],
      ...['boot cp-debian-12', 'ansible-playbook cluster.yml']
    ])
  })

  it('keeps a plane per image', async () => {
    const { env, events, build } = setup('join, rejoin')
    const planes = new ControlPlanes(env, 'rejoin')
    const a = await planes.acquire(image, build)
    const b = await planes.acquire(other, build)
    expect(a).not.toBe(b)
    await planes.release(other, 'rejoin')
    expect(events.filter(e => e.startsWith('destroy'))).toEqual(['destroy cp-debian-13'])
  })

  it('a plane that could not be built is destroyed, and not built again for the next tier', async () => {
    const { env, events, build } = setup('join, rejoin', {
      exitCode: 2,
      stdout:
        'TASK [kubernetes/preinstall : Stop if swap enabled] ***\nfatal: [cp-debian-12]: FAILED! => {"msg": "swap"}\n'
    })
    const planes = new ControlPlanes(env, 'rejoin')
    await expect(planes.acquire(image, build)).rejects.toThrow(/^the control plane could not be built: /)
    await expect(planes.acquire(image, build)).rejects.toThrow(/^the control plane could not be built: /)
    expect(events).toEqual(['boot cp-debian-12', 'ansible-playbook cluster.yml', 'destroy cp-debian-12'])
    // Closing the tiers of a plane that never came up is not an error.
    await planes.release(image, 'join')
    await planes.release(image, 'rejoin')
  })

  it("a join session's health is its control plane's: the worker of each cell is its own", async () => {
    const { env, events, context, health } = setup('join')
    const opened = await joinScenarios(env).join.open(image, context)
    if (opened.kind !== 'ready') throw new Error(`not opened: ${opened.reason}`)
    expect(events).toEqual(['boot cp-debian-12', 'ansible-playbook cluster.yml'])
    expect(await opened.session.health!()).toBeNull()
    health.answer = 'stopped answering ssh (no answer within 10 s)'
    expect(await opened.session.health!()).toBe(
      'the VM cp-debian-12 stopped answering ssh (no answer within 10 s)'
    )
    await opened.session.close()
    expect(events.at(-1)).toBe('destroy cp-debian-12')
  })
})
