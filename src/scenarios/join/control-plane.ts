import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { ImageSpec } from '../../images/catalogue.js'
import { playbookCommand, type AnsibleTools } from '../../kubespray/ansible.js'
import { cellVars, type CheckoutPull, type GroupVars, type KubesprayVars } from '../../kubespray/cell-vars.js'
import { SCALE_GROUP, writeInventory, type InventoryNode } from '../../kubespray/inventory.js'
import { runPlaybook } from '../../kubespray/run-playbook.js'
import type { Tier } from '../../plan/axes.js'
import type { Node, PrivateLinkEnd, Provider } from '../../providers/provider.js'
import type { ScenarioContext } from '../scenario.js'
import type { JoinEnv } from './join-env.js'
import { playbookOutcome } from '../../kubespray/playbook-outcome.js'

/**
 * The control plane is not under test: it gets the configuration known to work on every OpenZFS
 * (measured on the project's images): the native snapshotter, with nerdctl told the same (the fix), so
 * its own pods start.
 */
export function controlPlaneVars(pull: CheckoutPull, userVars: GroupVars): KubesprayVars {
  return cellVars({ snapshotter: 'native', tool: 'nerdctl', variant: 'fixed' }, pull, userVars)
}

/** The tiers that join workers to a control plane. */
export type JoinTier = Extract<Tier, 'join' | 'rejoin'>

/** An image's cluster: the control plane VM, the link end its workers take, and how to run kubespray. */
export interface ControlPlane {
  readonly image: ImageSpec
  readonly cp: Node
  readonly cpEntry: InventoryNode
  readonly workerEnd: PrivateLinkEnd
  readonly ansible: AnsibleTools
  readonly kubespray: string
  /** The checkout's own pull, which every cell's vars are made against. */
  readonly pull: CheckoutPull
  readonly workDir: string
  /**
   * The next worker's inventory name. Numbered per control plane, not per tier, so the rejoin tier's
   * workers never take a name the join tier's workers had in the same cluster.
   */
  nextWorkerName(): string
}

/**
 * One control plane per image for all the run's join tiers: built by the first tier that opens
 * (cluster.yml is the slowest step there is), kept for the next, destroyed when `lastTier` closes.
 * A plane that could not be built is not built again for the next tier: its cells report the same
 * error at once. A run stopped between the tiers leaves the plane to the provider's close, which
 * destroys every node still up.
 */
export class ControlPlanes {
  private readonly planes = new Map<string, Promise<ControlPlane>>()

  constructor(
    private readonly env: JoinEnv,
    private readonly lastTier: JoinTier
  ) {}

  /** The image's plane, built on first use with `ansible` from `kubespray`. */
  acquire(image: ImageSpec, build: PlaneBuild): Promise<ControlPlane> {
    let plane = this.planes.get(image.name)
    if (plane === undefined) {
      plane = buildControlPlane(this.env, build, image)
      this.planes.set(image.name, plane)
    }
    return plane
  }

  /** Called by each tier's session close: only the last tier's close destroys the plane. */
  async release(image: ImageSpec, tier: JoinTier): Promise<void> {
    if (tier !== this.lastTier) return
    const plane = this.planes.get(image.name)
    this.planes.delete(image.name)
    // A plane that could not be built was destroyed then; its tiers' cells already report why.
    await plane?.then(
      p => p.cp.destroy(),
      () => undefined
    )
  }
}

/** What a control plane is built with: the run's Ansible and the checkout. */
export interface PlaneBuild {
  readonly ansible: AnsibleTools
  readonly kubespray: string
  readonly pull: CheckoutPull
  readonly context: ScenarioContext
}

async function buildControlPlane(env: JoinEnv, build: PlaneBuild, image: ImageSpec): Promise<ControlPlane> {
  const { ansible, kubespray, pull, context } = build
  const provider: Provider = await env.provider()
  const [cpEnd, workerEnd] = await provider.createLink()
  const name = `cp-${image.name}`
  const logDir = join(context.imageLogDir, 'control-plane')
  mkdirSync(logDir, { recursive: true })
  const cp = await provider.boot(image, { name, logDir, link: cpEnd })
  try {
    const cpEntry = { name, ssh: cp.access, ip: cp.privateAddress ?? linkAddress(cpEnd) }
    // The worker is in the inventory (kubespray's templates list every node) but limited out.
    const worker = { name: `w-${image.name}-0`, ssh: { ...cp.access, port: 1 }, ip: linkAddress(workerEnd) }
    const inventory = writeInventory(join(logDir, 'inventory'), {
      controlPlane: cpEntry,
      worker,
      vars: env.config.kubesprayVars,
      workerVars: {},
      controlPlaneVars: controlPlaneVars(pull, env.config.kubesprayVars)
    })
    let workers = 0
    const plane: ControlPlane = {
      image,
      cp,
      cpEntry,
      workerEnd,
      ansible,
      kubespray,
      pull,
      workDir: context.workDir,
      nextWorkerName: () => `w-${image.name}-${++workers}`
    }
    env.host.log.info(
      `join: building the control plane of ${image.name} (cluster.yml --limit '!${SCALE_GROUP}'), kept for every cell of its join tiers`
    )
    const logFile = join(logDir, 'ansible-cluster.log')
    const result = await runPlaybook(
      playbookCommand(ansible, playbookPaths(plane, inventory), {
        playbook: 'cluster.yml',
        limit: `!${SCALE_GROUP}`
      }),
      {
        exec: env.host.exec,
        log: env.host.log,
        logFile,
        signal: context.signal,
        timeoutMs: env.config.cellTimeoutMs
      }
    )
    const outcome = playbookOutcome('cluster.yml', result)
    if (outcome.kind !== 'ok') {
      throw new Error(`the control plane could not be built: ${outcome.message} (log: ${logFile})`)
    }
    return plane
  } catch (e) {
    await cp.destroy()
    throw e
  }
}

/** A node's address on the private link, without its prefix length. */
export function linkAddress(end: PrivateLinkEnd): string {
  return end.address.split('/')[0]!
}

/** Where a playbook runs from (the checkout), against what, with Ansible's temp files in the run's work dir. */
export function playbookPaths(plane: Pick<ControlPlane, 'kubespray' | 'workDir'>, inventory: string) {
  const tempDir = join(plane.workDir, 'ansible-tmp')
  mkdirSync(tempDir, { recursive: true })
  return { kubespray: plane.kubespray, inventory, tempDir }
}
