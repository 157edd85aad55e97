import { posix } from 'node:path'
import { shellSplit, type Command } from '../../exec/command.js'
import type { GroupVars } from '../../kubespray/cell-vars.js'
import type { RenderedFile } from '../../kubespray/render/render-run.js'
import { lineDiff } from '../../log/line-diff.js'
import { CONTAINERD_CONFIG } from '../../containerd/node-paths.js'
import { readToml, setKey, valueAt } from '../../containerd/toml-edit.js'

/**
 * Where the probe must differ from what the checkout renders, all in this one file. The probe node
 * has a test registry on its loopback, no kubelet and no AppArmor profile; everything else is the
 * checkout's. Two kinds of difference, both logged with each cell:
 *
 * - harness vars, given to the render with the cell's vars, so the checkout's own templates place
 *   them: the registry as a plain-HTTP mirror (`containerd_registries_mirrors`, and
 *   `containerd_registries` for releases before certs.d), the sandbox image from it
 *   (`pod_infra_image_repo`/`_tag`), and the node's containerd version (`containerd_version`, which
 *   picks the config template as it does in kubespray);
 * - overlays on the rendered files: runc's cgroup driver back to cgroupfs (no kubelet makes the
 *   systemd slices kubespray's systemd driver expects), AppArmor off in the CRI (no profile to load),
 *   and `--plain-http` on a ctr pull that reads no hosts.toml (ctr ignores certs.d unless told).
 */
export interface HarnessTarget {
  /** host:port of the plain-HTTP test registry on the node's loopback. */
  readonly registry: string
  /** The CRI sandbox image, in that registry. */
  readonly sandboxImage: string
}

export function harnessVars(target: HarnessTarget, containerdVersion: string): GroupVars {
  const colon = target.sandboxImage.lastIndexOf(':')
  return {
    containerd_version: containerdVersion,
    pod_infra_image_repo: target.sandboxImage.slice(0, colon),
    pod_infra_image_tag: target.sandboxImage.slice(colon + 1),
    containerd_registries_mirrors: [
      {
        prefix: target.registry,
        mirrors: [{ host: `http://${target.registry}`, capabilities: ['pull', 'resolve'], skip_verify: true }]
      }
    ],
    containerd_registries: { [target.registry]: `http://${target.registry}` }
  }
}

/** One change the harness made to a rendered file or to the pull. */
export interface Overlay {
  readonly target: string
  readonly why: string
}

export interface HarnessedConfig {
  /** The files the node gets: as rendered, with the overlays applied. */
  readonly files: readonly RenderedFile[]
  readonly overlays: readonly Overlay[]
  /** Unified diff of every file the overlays changed (empty when none did). */
  readonly diff: string
  /** The pull as the node runs it. */
  readonly pull: Command
}

/** Applies the overlays to a cell's rendered files and evaluated pull line. */
export function applyHarness(rendered: readonly RenderedFile[], pullLine: string): HarnessedConfig {
  const overlays: Overlay[] = []
  const diffs: string[] = []
  const files = rendered.map(file => {
    if (file.path !== CONTAINERD_CONFIG) return file
    const patched = patchContainerdConfig(file.content, overlays)
    const diff = lineDiff(file.content, patched, { a: `${file.path} (rendered)`, b: `${file.path} (probed)` })
    if (diff !== '') diffs.push(diff)
    return { ...file, content: patched }
  })
  const pull = pullCommand(pullLine, overlays)
  return { files, overlays, diff: diffs.join('\n'), pull }
}

function patchContainerdConfig(text: string, overlays: Overlay[]): string {
  // containerd reads runc's options case-insensitively: v2.25 writes `systemdCgroup`.
  let patched = text.replace(/^(\s*systemdcgroup\s*=\s*)true\b/gim, '$1false')
  if (patched !== text) {
    overlays.push({
      target: CONTAINERD_CONFIG,
      why: 'SystemdCgroup = false: no kubelet runs, so no systemd slices for the pods (cgroupfs)'
    })
  }
  const parsed = readToml(patched)
  // A config that is not TOML is sent as rendered: containerd's refusal is the finding.
  if (parsed.kind === 'invalid') return patched
  const v3 = valueAt(parsed.value, ['plugins', 'io.containerd.cri.v1.runtime']) !== undefined
  const table = v3 ? 'plugins."io.containerd.cri.v1.runtime"' : 'plugins."io.containerd.grpc.v1.cri"'
  const path = v3 ? ['plugins', 'io.containerd.cri.v1.runtime'] : ['plugins', 'io.containerd.grpc.v1.cri']
  if (valueAt(parsed.value, [...path, 'disable_apparmor']) !== true) {
    patched = setKey(patched, table, 'disable_apparmor', 'true')
    overlays.push({
      target: CONTAINERD_CONFIG,
      why: `disable_apparmor = true in [${table}]: no AppArmor profile on the node`
    })
  }
  return patched
}

function pullCommand(line: string, overlays: Overlay[]): Command {
  const [program, ...args] = shellSplit(line)
  if (program === undefined) throw new Error('the checkout evaluated the pull command to an empty line')
  const at = args.indexOf('pull')
  const plain =
    posix.basename(program) === 'ctr' &&
    at !== -1 &&
    !args.includes('--hosts-dir') &&
    !args.includes('--plain-http')
  if (plain) {
    args.splice(at + 1, 0, '--plain-http')
    overlays.push({
      target: 'pull',
      why: '--plain-http: ctr reads no hosts.toml here, and the test registry speaks plain HTTP'
    })
  }
  return { program, args }
}
