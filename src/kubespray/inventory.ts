import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import type { GroupVars } from './cell-vars.js'

/** How Ansible reaches a node: ssh on the host's loopback, as root, with the run's key. */
export interface SshAccess {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly identity: string
}

export interface InventoryNode {
  /** The inventory hostname, which kubespray also makes the node's name in the cluster. */
  readonly name: string
  readonly ssh: SshAccess
  /** The node's address on the private link: kubespray's `ip` and `access_ip`. */
  readonly ip: string
}

export interface JoinInventory {
  readonly controlPlane: InventoryNode
  readonly worker: InventoryNode
  /** Group vars for every host: the user's `kubespray-vars` (offline mirrors…). */
  readonly vars: GroupVars
  /**
   * The cell's vars, as host vars of the worker only: `scale.yml --limit for_scale` configures the
   * worker, and the control plane keeps the configuration it was built with.
   */
  readonly workerVars: GroupVars
  /** Host vars of the control plane: the configuration the action builds it with. */
  readonly controlPlaneVars: GroupVars
}

/** The group kubespray's scale testcases put the joining node in (`scale.yml --limit for_scale`). */
export const SCALE_GROUP = 'for_scale'

/**
 * Kubespray's layout for a scale test: the control plane is also etcd and a node (one machine holds
 * the cluster), the worker is a node in `for_scale`, so `cluster.yml --limit '!for_scale'` builds the
 * cluster without it and `scale.yml --limit for_scale` joins it.
 */
export function inventoryDocument(inventory: Pick<JoinInventory, 'controlPlane' | 'worker'>): string {
  const { controlPlane: cp, worker } = inventory
  const only = (...names: string[]) => ({ hosts: Object.fromEntries(names.map(n => [n, null])) })
  return stringify(
    {
      all: {
        // kubespray ≤ v2.27 gathers facts from every inventory host to fill `fallback_ips`, --limit or
        // not (roles/kubespray-defaults/tasks/fallback_ips.yml), and a worker that is not booted yet
        // fails cluster.yml as unreachable. Every host has its `ip`, so the fallbacks are those, and
        // kubespray skips the gathering when the variable is set (it is unused since v2.28).
        vars: { fallback_ips: { [cp.name]: cp.ip, [worker.name]: worker.ip } },
        hosts: { [cp.name]: hostVars(cp), [worker.name]: hostVars(worker) },
        children: {
          kube_control_plane: only(cp.name),
          etcd: only(cp.name),
          kube_node: only(cp.name, worker.name),
          [SCALE_GROUP]: only(worker.name),
          k8s_cluster: { children: { kube_control_plane: null, kube_node: null } }
        }
      }
    },
    { nullStr: '' }
  )
}

function hostVars(node: InventoryNode): Record<string, string | number> {
  return {
    ansible_host: node.ssh.host,
    ansible_port: node.ssh.port,
    ansible_user: node.ssh.user,
    ansible_ssh_private_key_file: node.ssh.identity,
    // Test VMs get fresh host keys on every boot and are reached on loopback only.
    ansible_ssh_common_args:
      '-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes',
    ip: node.ip,
    access_ip: node.ip
  }
}

/**
 * Writes `hosts.yml`, `group_vars/all/kubespray-vars.yml` and `host_vars/<worker>.yml` under `dir`
 * (next to the inventory file is where Ansible reads them), and returns the inventory file's path.
 */
export function writeInventory(dir: string, inventory: JoinInventory): string {
  mkdirSync(join(dir, 'group_vars', 'all'), { recursive: true })
  mkdirSync(join(dir, 'host_vars'), { recursive: true })
  const hosts = join(dir, 'hosts.yml')
  writeFileSync(hosts, inventoryDocument(inventory))
  writeFileSync(
    join(dir, 'group_vars', 'all', 'kubespray-vars.yml'),
    `# Written by zfs-join-matrix: the kubespray-vars input, for every host.\n${stringify(inventory.vars)}`
  )
  writeFileSync(
    join(dir, 'host_vars', `${inventory.worker.name}.yml`),
    `# Written by zfs-join-matrix: the cell's own vars, for the joining worker.\n${stringify(inventory.workerVars)}`
  )
  writeFileSync(
    join(dir, 'host_vars', `${inventory.controlPlane.name}.yml`),
    `# Written by zfs-join-matrix: the control plane's configuration, the same for every cell.\n${stringify(inventory.controlPlaneVars)}`
  )
  return hosts
}
