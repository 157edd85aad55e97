import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Tool } from '../plan/axes.js'
import { parseTemplateValue, type TemplateValue } from './template-value.js'
import { readTreeLines, type TreeLine } from './tree-lines.js'

/**
 * What decides, in a kubespray checkout, which snapshotter each tool of a node uses. Read from the
 * files by shape, not by release number, so every layout from v2.18 to master reads the same way:
 * the containerd config template(s), nerdctl.toml.j2 (absent before v2.19, `native` in v2.19–2.21,
 * `nerdctl_snapshotter` since v2.22), and the image pull commands (a set_fact in v2.18, then
 * `*_image_pull_command` defaults; ctr in v2.24–2.27, nerdctl again from v2.28).
 */
export interface KubesprayTree {
  readonly root: string
  /** galaxy.yml's `version` (v2.24+), else null. */
  readonly release: string | null
  /** Every `snapshotter = …` in containerd's config templates, with the TOML section it sits in. */
  readonly criSnapshotter: readonly CriSnapshotterSetting[]
  readonly nerdctl: NerdctlSetting
  /** Image pull commands run on the node (never the `_on_localhost` ones, which run on the controller). */
  readonly pullCommands: readonly PullCommand[]
  /** Top-level `name: value` in roles' defaults and vars; the first definition of each name wins. */
  readonly definitions: ReadonlyMap<string, VariableDefinition>
  /**
   * Whether the pull command follows `image_command_tool` (v2.19+). Before, containerd nodes always
   * pulled with the nerdctl command of a set_fact, whatever the inventory said.
   */
  readonly selectsPullTool: boolean
}

export interface CriSnapshotterSetting {
  readonly at: TreeLine
  /** The TOML table the line is in, e.g. `plugins."io.containerd.cri.v1.images"`. */
  readonly section: string
  readonly value: TemplateValue
}

export type NerdctlSetting =
  | { readonly kind: 'template'; readonly at: TreeLine; readonly value: TemplateValue }
  /** nerdctl.toml.j2 exists but sets no snapshotter: nerdctl's built-in default applies. */
  | { readonly kind: 'unset'; readonly template: TreeLine }
  /** No nerdctl.toml at all (v2.18): nerdctl's built-in default applies. `role` is its tasks file. */
  | { readonly kind: 'no-template'; readonly role: TreeLine | null }

export interface PullCommand {
  /** The variable holding it: `nerdctl_image_pull_command`, or `image_pull_command` (v2.18 set_fact). */
  readonly variable: string
  readonly at: TreeLine
  readonly command: string
  readonly tool: Tool
  /** `--snapshotter X` in the command, or null: none of kubespray's commands has one. */
  readonly snapshotterFlag: TemplateValue | null
}

export interface VariableDefinition {
  readonly name: string
  readonly at: TreeLine
  readonly value: TemplateValue
}

export type TreeReading =
  | { readonly kind: 'tree'; readonly tree: KubesprayTree }
  | { readonly kind: 'not-kubespray'; readonly reason: string }

export const CONTAINERD_TEMPLATES = 'roles/container-engine/containerd/templates'
export const NERDCTL_TEMPLATE = 'roles/container-engine/nerdctl/templates/nerdctl.toml.j2'
const NERDCTL_TASKS = 'roles/container-engine/nerdctl/tasks/main.yml'
/** The playbooks the join tier runs; their absence means this is not a kubespray checkout. */
const PLAYBOOKS = ['cluster.yml', 'scale.yml', 'reset.yml']

const TOML_SECTION = /^\s*\[+\s*([^\]]+?)\s*\]+\s*$/
const TOML_SNAPSHOTTER = /^\s*snapshotter\s*=\s*(.+?)\s*$/
const DEFINITION = /^([A-Za-z_]\w*)\s*:\s*(\S.*?)\s*$/
const PULL_COMMAND = /^\s*([A-Za-z_]*image_pull_command)\s*:\s*(\S.*?)\s*$/
const SNAPSHOTTER_FLAG = /--snapshotter(?:=|\s+)("[^"]*"|'[^']*'|\{\{.*?\}\}|[^\s{]+)/

/** Why `root` is not a kubespray checkout (what is missing), or null: cheap, reads no file. */
export function notKubespray(root: string): string | null {
  const missing = [...PLAYBOOKS, CONTAINERD_TEMPLATES].filter(p => !existsSync(join(root, p)))
  return missing.length === 0 ? null : `${root} is not a kubespray checkout (missing ${missing.join(', ')})`
}

export function readKubesprayTree(root: string): TreeReading {
  const missing = notKubespray(root)
  if (missing !== null) return { kind: 'not-kubespray', reason: missing }
  const roles = readTreeLines(root, ['roles'])
  const criSnapshotter = containerdSettings(roles)
  if (criSnapshotter.length === 0) {
    return {
      kind: 'not-kubespray',
      reason: `no containerd config template under ${CONTAINERD_TEMPLATES} sets a snapshotter`
    }
  }
  const definitions = new Map<string, VariableDefinition>()
  for (const line of roles.filter(l => /^roles\/[^/]+(\/[^/]+)?\/(defaults|vars)\//.test(l.path))) {
    const m = DEFINITION.exec(line.text)
    if (m !== null && !definitions.has(m[1]!)) {
      definitions.set(m[1]!, { name: m[1]!, at: line, value: parseTemplateValue(m[2]!) })
    }
  }
  return {
    kind: 'tree',
    tree: {
      root,
      release: galaxyVersion(root),
      criSnapshotter,
      nerdctl: nerdctlSetting(roles),
      pullCommands: roles.flatMap(pullCommand),
      definitions,
      selectsPullTool: definitions.has('image_command_tool')
    }
  }
}

function containerdSettings(roles: readonly TreeLine[]): CriSnapshotterSetting[] {
  const settings: CriSnapshotterSetting[] = []
  let file = ''
  let section = ''
  for (const line of roles) {
    if (!line.path.startsWith(`${CONTAINERD_TEMPLATES}/`) || !/\.toml\.j2$/.test(line.path)) continue
    if (line.path !== file) [file, section] = [line.path, '']
    const header = TOML_SECTION.exec(line.text)
    if (header !== null) section = header[1]!
    const setting = TOML_SNAPSHOTTER.exec(line.text)
    if (setting !== null) settings.push({ at: line, section, value: parseTemplateValue(setting[1]!) })
  }
  return settings
}

function nerdctlSetting(roles: readonly TreeLine[]): NerdctlSetting {
  const template = roles.filter(l => l.path === NERDCTL_TEMPLATE)
  if (template.length === 0) {
    return { kind: 'no-template', role: roles.find(l => l.path === NERDCTL_TASKS) ?? null }
  }
  for (const line of template) {
    const setting = TOML_SNAPSHOTTER.exec(line.text)
    if (setting !== null) return { kind: 'template', at: line, value: parseTemplateValue(setting[1]!) }
  }
  return { kind: 'unset', template: template[0]! }
}

function pullCommand(line: TreeLine): PullCommand[] {
  const m = PULL_COMMAND.exec(line.text)
  if (m === null || /on_localhost/.test(m[1]!)) return []
  const command = m[2]!.replace(/^(['"])(.*)\1$/, '$2')
  const tool = commandTool(command)
  if (tool === null) return []
  return [{ variable: m[1]!, at: line, command, tool, snapshotterFlag: snapshotterFlag(command) }]
}

/** The tool a pull command runs; null for docker or anything that is not a pull by a known tool. */
export function commandTool(command: string): Tool | null {
  if (/(^|[\s/"'])ctr\s[^|;]*\bpull\b/.test(command)) return 'ctr'
  if (/(^|[\s/"'])nerdctl\s[^|;]*\bpull\b/.test(command)) return 'nerdctl'
  if (/(^|[\s/"'])crictl\s[^|;]*\bpull\b/.test(command)) return 'crictl'
  return null
}

/** `--snapshotter X` in a command the action itself writes (a cell's pull command override). */
export function snapshotterFlag(command: string): TemplateValue | null {
  const flag = SNAPSHOTTER_FLAG.exec(command)
  return flag === null ? null : parseTemplateValue(flag[1]!)
}

function galaxyVersion(root: string): string | null {
  const path = join(root, 'galaxy.yml')
  if (!existsSync(path)) return null
  const m = /^version:\s*['"]?([^'"\s]+)/m.exec(readFileSync(path, 'utf8'))
  return m === null ? null : m[1]!
}
