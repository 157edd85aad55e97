import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { HostContext } from '../../host/context.js'
import type { Config } from '../../inputs/config.js'
import type { ImageSpec } from '../../images/catalogue.js'
import {
  playbookCommand,
  provideAnsible,
  type AnsibleAvailability,
  type AnsibleTools,
  type PlaybookRun
} from '../../kubespray/ansible.js'
import { cellVars } from '../../kubespray/cell-vars.js'
import type { Checkout } from '../../kubespray/checkout.js'
import { SCALE_GROUP, writeInventory, type InventoryNode } from '../../kubespray/inventory.js'
import { notKubespray } from '../../kubespray/kubespray-tree.js'
import { runPlaybook } from '../../kubespray/run-playbook.js'
import type { Tier } from '../../plan/axes.js'
import type { Cell } from '../../plan/cell.js'
import type { Node, PrivateLinkEnd, Provider } from '../../providers/provider.js'
import type { Attempt, AttemptContext, Opened, Scenario, ScenarioContext, Verdict } from '../scenario.js'
import { downloadsUnreachable } from './join-checks.js'
import { checkJoined, collectWorker, forgetNode } from './node-checks.js'
import { playbookOutcome } from './playbook-outcome.js'
import { rejoinVerdict, withEvidence } from './rejoin-verdict.js'

export interface JoinEnv {
  readonly config: Config
  readonly host: HostContext
  readonly provider: () => Promise<Provider>
  /** On a GitHub runner (`ansible: auto` then installs kubespray's requirements into a virtualenv). */
  readonly onRunner: boolean
  /** The kubespray tree to run (the checkout, or `kubespray-ref` of it), resolved once per run. */
  readonly kubespray: () => Promise<Checkout>
}
/**
 * The control plane is not under test: it gets the configuration known to work on every OpenZFS
 * (DESIGN §4.2): the native snapshotter, with nerdctl told the same (the fix), so its own pods start.
 */
export const CONTROL_PLANE_VARS = cellVars({ snapshotter: 'native', tool: 'nerdctl', variant: 'fixed' })

/** Kubespray's reset asks for a confirmation: `reset_confirmation` (≤ v2.2x) or `skip_confirmation`. */
const RESET_CONFIRMED = { reset_confirmation: 'yes', skip_confirmation: 'true' }

/**
 * The join tier: per image, one control plane built once with `cluster.yml --limit '!for_scale'`
 * and kept for every cell; per cell, a fresh worker whose /var/lib/containerd is on its own ZFS pool,
 * joined with `scale.yml --limit for_scale` and the cell's vars, then checked (nginx-proxy running on
 * it, the node Ready) and its journals kept. The rejoin tier does the same, then runs scale again
 * without reset (the stale kubelet.conf / missing ca.crt path) and after `reset.yml`, and reports both.
 *
 * Design note: the control plane is not restored from a snapshot between cells, because scale.yml
 * limited to for_scale never configures it; each cell's worker gets its own node name instead, and its
 * Node object is deleted afterwards, so no join meets a stale registration.
 */
export function joinScenarios(env: JoinEnv): Record<'join' | 'rejoin', Scenario> {
  // One Ansible for the run: the virtualenv is installed once, whichever tier needs it first.
  let ansible: Promise<AnsibleAvailability> | undefined
  const provide = (kubespray: string, context: ScenarioContext) =>
    (ansible ??= provideAnsible({
      source: env.config.ansible,
      kubespray,
      venvDir: join(context.workDir, 'ansible-venv'),
      exec: env.host.exec,
      signal: context.signal,
      onRunner: env.onRunner
    }).then(a => {
      if (a.kind === 'ready') env.host.log.info(`join: ${a.tools.description}`)
      return a
    }))
  return { join: joinScenario(env, 'join', provide), rejoin: joinScenario(env, 'rejoin', provide) }
}

function joinScenario(
  env: JoinEnv,
  tier: Extract<Tier, 'join' | 'rejoin'>,
  provide: (kubespray: string, context: ScenarioContext) => Promise<AnsibleAvailability>
): Scenario {
  return {
    tier,
    async open(image: ImageSpec, context: ScenarioContext): Promise<Opened> {
      const checkout = await env.kubespray()
      if (checkout.kind === 'unavailable') return checkout
      const kubespray = checkout.path
      const notCheckout = notKubespray(kubespray)
      if (notCheckout !== null) return { kind: 'unavailable', reason: notCheckout }
      const route = downloadsUnreachable(env.config)
      if (route !== null) return { kind: 'unavailable', reason: route }
      const tools = await provide(kubespray, context)
      if (tools.kind === 'unavailable') return tools
      const provider = await env.provider()
      const unavailable = await provider.unavailableReason()
      if (unavailable !== null) return { kind: 'unavailable', reason: unavailable }

      const plane = await buildControlPlane(env, tools.tools, kubespray, image, context, tier)
      let workers = 0
      return {
        kind: 'ready',
        session: {
          run: (cell, attempt) => {
            const name = `w-${image.name}-${++workers}`
            return runCell({ env, plane, cell, attempt, name, image, tier })
          },
          close: () => plane.cp.destroy()
        }
      }
    }
  }
}

interface ControlPlane {
  readonly cp: Node
  readonly cpEntry: InventoryNode
  readonly workerEnd: PrivateLinkEnd
  readonly ansible: AnsibleTools
  readonly kubespray: string
  readonly workDir: string
}

async function buildControlPlane(
  env: JoinEnv,
  ansible: AnsibleTools,
  kubespray: string,
  image: ImageSpec,
  context: ScenarioContext,
  tier: Tier
): Promise<ControlPlane> {
  const provider = await env.provider()
  const [cpEnd, workerEnd] = await provider.createLink()
  const name = `cp-${image.name}`
  const logDir = join(context.imageLogDir, `${tier}-control-plane`)
  mkdirSync(logDir, { recursive: true })
  const cp = await provider.boot(image, { name, logDir, link: cpEnd })
  try {
    const cpEntry = { name, ssh: cp.access, ip: cp.privateAddress ?? cpEnd.address.split('/')[0]! }
    // The worker is in the inventory (kubespray's templates list every node) but limited out.
    const worker = {
      name: `w-${image.name}-0`,
      ssh: { ...cp.access, port: 1 },
      ip: workerEnd.address.split('/')[0]!
    }
    const inventory = writeInventory(join(logDir, 'inventory'), {
      controlPlane: cpEntry,
      worker,
      vars: env.config.kubesprayVars,
      workerVars: {},
      controlPlaneVars: CONTROL_PLANE_VARS
    })
    const plane = { cp, cpEntry, workerEnd, ansible, kubespray, workDir: context.workDir }
    env.host.log.info(
      `${tier}: building the control plane of ${image.name} (cluster.yml --limit '!${SCALE_GROUP}')`
    )
    const result = await runPlaybook(
      playbookCommand(ansible, paths(plane, inventory), {
        playbook: 'cluster.yml',
        limit: `!${SCALE_GROUP}`
      }),
      {
        exec: env.host.exec,
        log: env.host.log,
        logFile: join(logDir, 'ansible-cluster.log'),
        signal: context.signal,
        timeoutMs: env.config.cellTimeoutMs
      }
    )
    const outcome = playbookOutcome('cluster.yml', result)
    if (outcome.kind !== 'ok') {
      throw new Error(
        `the control plane could not be built: ${outcome.message} (log: ${join(logDir, 'ansible-cluster.log')})`
      )
    }
    return plane
  } catch (e) {
    await cp.destroy()
    throw e
  }
}

function paths(plane: Pick<ControlPlane, 'kubespray' | 'workDir'>, inventory: string) {
  const tempDir = join(plane.workDir, 'ansible-tmp')
  mkdirSync(tempDir, { recursive: true })
  return { kubespray: plane.kubespray, inventory, tempDir }
}

interface CellRun {
  readonly env: JoinEnv
  readonly plane: ControlPlane
  readonly cell: Cell
  readonly attempt: AttemptContext
  readonly name: string
  readonly image: ImageSpec
  readonly tier: Tier
}

async function runCell(run: CellRun): Promise<Attempt> {
  const { env, plane, attempt, name, image } = run
  const provider = await env.provider()
  const worker = await provider.boot(image, { name, logDir: attempt.logDir, link: plane.workerEnd })
  const logs: string[] = []
  try {
    const inventory = writeInventory(join(attempt.logDir, 'inventory'), {
      controlPlane: plane.cpEntry,
      worker: {
        name,
        ssh: worker.access,
        ip: worker.privateAddress ?? plane.workerEnd.address.split('/')[0]!
      },
      vars: env.config.kubesprayVars,
      workerVars: cellVars(run.cell),
      controlPlaneVars: CONTROL_PLANE_VARS
    })
    /** Runs one playbook; a scale is then checked for a real join, a reset only for its own success. */
    const play = async (step: string, playbook: PlaybookRun, joins = true): Promise<Verdict> => {
      const logFile = join(attempt.logDir, `ansible-${step}.log`)
      logs.push(logFile)
      const result = await runPlaybook(playbookCommand(plane.ansible, paths(plane, inventory), playbook), {
        exec: env.host.exec,
        log: env.host.log,
        logFile,
        signal: attempt.signal,
        timeoutMs: env.config.cellTimeoutMs
      })
      const outcome = playbookOutcome(playbook.playbook, result)
      if (outcome.kind === 'ok') {
        return joins ? checkJoined(plane.cp, worker, name, attempt.signal) : { kind: 'pass' }
      }
      const evidence = [{ source: `ansible ${step}`, text: readFileSync(logFile, 'utf8') }]
      return { kind: outcome.kind === 'broken' ? 'error' : 'fail', message: outcome.message, evidence }
    }
    const scale: PlaybookRun = { playbook: 'scale.yml', limit: SCALE_GROUP }
    const steps =
      run.tier === 'join'
        ? [await play('scale', scale)]
        : [
            await play('scale', scale),
            await play('rescale', scale),
            await play(
              'reset',
              { playbook: 'reset.yml', limit: SCALE_GROUP, extraVars: RESET_CONFIRMED },
              false
            ),
            await play('scale-after-reset', scale)
          ]
    const collected = await collectWorker(worker, attempt.logDir, attempt.signal)
    logs.push(...collected.logs)
    return {
      verdict:
        run.tier === 'join'
          ? withEvidence(steps[0]!, collected.evidence)
          : rejoinVerdict(steps, collected.evidence),
      versions: await worker.facts().catch(() => ({})),
      logs
    }
  } finally {
    await forgetNode(plane.cp, name, attempt.signal)
    await worker.destroy()
  }
}
