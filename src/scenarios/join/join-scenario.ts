import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ImageSpec } from '../../images/catalogue.js'
import { playbookCommand, type PlaybookRun } from '../../kubespray/ansible.js'
import { cellVars, checkoutPull } from '../../kubespray/cell-vars.js'
import { SCALE_GROUP, writeInventory } from '../../kubespray/inventory.js'
import { runPlaybook } from '../../kubespray/run-playbook.js'
import type { Tier } from '../../plan/axes.js'
import type { Cell } from '../../plan/cell.js'
import type { Attempt, AttemptContext, Opened, Scenario, ScenarioContext, Verdict } from '../scenario.js'
import {
  ControlPlanes,
  controlPlaneVars,
  linkAddress,
  playbookPaths,
  type ControlPlane,
  type JoinTier
} from './control-plane.js'
import { downloadsUnreachable } from './join-checks.js'
import { checkJoined, collectWorker, forgetNode } from './node-checks.js'
import { playbookOutcome } from '../../kubespray/playbook-outcome.js'
import { rejoinVerdict, withEvidence } from './rejoin-verdict.js'
import type { JoinEnv } from './join-env.js'

export type { JoinEnv } from './join-env.js'

/** Kubespray's reset asks for a confirmation: `reset_confirmation` (≤ v2.2x) or `skip_confirmation`. */
const RESET_CONFIRMED = { reset_confirmation: 'yes', skip_confirmation: 'true' }

/**
 * The join tier: per image, one control plane built once with `cluster.yml --limit '!for_scale'`
 * and kept for every cell of both join tiers; per cell, a fresh worker whose /var/lib/containerd is on
 * its own ZFS pool, joined with `scale.yml --limit for_scale` and the cell's vars, then checked
 * (nginx-proxy running on it, the node Ready) and its journals kept. The rejoin tier does the same,
 * then runs scale again without reset (the stale kubelet.conf / missing ca.crt path) and after
 * `reset.yml`, and reports both.
 *
 * Design note: the control plane is kept rather than restored from a snapshot between cells, because
 * scale.yml limited to for_scale never configures it; each worker gets its own node name instead, and
 * its Node object is deleted afterwards, so no join meets a stale registration.
 */
export function joinScenarios(env: JoinEnv): Record<'join' | 'rejoin', Scenario> {
  const planes = new ControlPlanes(env, env.config.tiers.includes('rejoin') ? 'rejoin' : 'join')
  return {
    join: joinScenario(env, 'join', planes),
    rejoin: joinScenario(env, 'rejoin', planes)
  }
}

function joinScenario(env: JoinEnv, tier: JoinTier, planes: ControlPlanes): Scenario {
  return {
    tier,
    async open(image: ImageSpec, context: ScenarioContext): Promise<Opened> {
      const checkout = await env.kubespray()
      if (checkout.kind !== 'ready') return { kind: 'unavailable', reason: checkout.reason }
      const kubespray = checkout.path
      const reading = checkout.reading()
      if (reading.kind === 'not-kubespray') return { kind: 'unavailable', reason: reading.reason }
      const route = downloadsUnreachable(env.config)
      if (route !== null) return { kind: 'unavailable', reason: route }
      const tools = await env.ansible(kubespray, context.workDir, context.signal)
      if (tools.kind === 'unavailable') return tools
      const provider = await env.provider()
      const unavailable = await provider.unavailableReason()
      if (unavailable !== null) return { kind: 'unavailable', reason: unavailable }

      const plane = await planes.acquire(image, {
        ansible: tools.tools,
        kubespray,
        pull: checkoutPull(reading.tree),
        context
      })
      return {
        kind: 'ready',
        session: {
          run: (cell, attempt) => runCell({ env, plane, cell, attempt, name: plane.nextWorkerName(), tier }),
          // Each cell boots its own worker and removes it; the control plane is what outlives a cell, so
          // a control plane that stopped answering ends the image's remaining join cells at once.
          health: () => plane.cp.health(),
          close: () => planes.release(image, tier)
        }
      }
    }
  }
}

interface CellRun {
  readonly env: JoinEnv
  readonly plane: ControlPlane
  readonly cell: Cell
  readonly attempt: AttemptContext
  readonly name: string
  readonly tier: Tier
}

async function runCell(run: CellRun): Promise<Attempt> {
  const { env, plane, attempt, name } = run
  const provider = await env.provider()
  const worker = await provider.boot(plane.image, { name, logDir: attempt.logDir, link: plane.workerEnd })
  const logs: string[] = []
  try {
    const inventory = writeInventory(join(attempt.logDir, 'inventory'), {
      controlPlane: plane.cpEntry,
      worker: {
        name,
        ssh: worker.access,
        ip: worker.privateAddress ?? linkAddress(plane.workerEnd)
      },
      vars: env.config.kubesprayVars,
      workerVars: cellVars(run.cell, plane.pull, env.config.kubesprayVars),
      controlPlaneVars: controlPlaneVars(plane.pull, env.config.kubesprayVars)
    })
    /** Runs one playbook; a scale is then checked for a real join, a reset only for its own success. */
    const play = async (step: string, playbook: PlaybookRun, joins = true): Promise<Verdict> => {
      const logFile = join(attempt.logDir, `ansible-${step}.log`)
      logs.push(logFile)
      const result = await runPlaybook(
        playbookCommand(plane.ansible, playbookPaths(plane, inventory), playbook),
        {
          exec: env.host.exec,
          log: env.host.log,
          logFile,
          signal: attempt.signal,
          timeoutMs: env.config.cellTimeoutMs
        }
      )
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
