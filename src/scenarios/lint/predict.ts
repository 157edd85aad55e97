import type { GroupVars } from '../../kubespray/cell-vars.js'
import {
  commandTool,
  snapshotterFlag,
  type CriSnapshotterSetting,
  type KubesprayTree
} from '../../kubespray/kubespray-tree.js'
import { describeValue, evaluate, type TemplateValue } from '../../kubespray/template-value.js'
import type { TreeLine } from '../../kubespray/tree-lines.js'
import type { Tool } from '../../plan/axes.js'

/** Where a tool's snapshotter comes from, and what it comes to for this cell (undefined: unknowable). */
export interface SnapshotterUse {
  readonly snapshotter: string | undefined
  /** How it was derived, citing the file and line, for the cell's lint log and messages. */
  readonly because: string
  readonly at: TreeLine | null
}

export interface PullPrediction {
  readonly tool: Tool
  readonly command: string
  /** The variable the command comes from, and where it is defined (null: the cell's own vars). */
  readonly variable: string
  readonly at: TreeLine | null
  readonly use: SnapshotterUse
  /** Why this command and not another, when kubespray ignores the cell's `image_command_tool`. */
  readonly note?: string
}

/** Which snapshotter each tool of a node built from this tree and these vars really uses. */
export interface Prediction {
  /** kubelet and crictl: containerd's CRI config. */
  readonly cri: SnapshotterUse
  readonly nerdctl: SnapshotterUse
  readonly ctr: SnapshotterUse
  /** The pull kubespray runs for every image on the node; null when the tree has none for containerd. */
  readonly pull: PullPrediction | null
}

/** The snapshotter nerdctl and ctr use when told nothing (containerd's default on Linux). */
const TOOLS_DEFAULT = 'overlayfs'
/** Deep enough for kubespray's chains of defaults, short enough to stop a self-referencing one. */
const MAX_LOOKUP_DEPTH = 8

export function predict(tree: KubesprayTree, vars: GroupVars): Prediction {
  const lookup = variableLookup(tree, vars)
  const nerdctl = nerdctlUse(tree, lookup)
  const ctr: SnapshotterUse = {
    snapshotter: TOOLS_DEFAULT,
    because: `ctr without --snapshotter uses containerd's default, ${TOOLS_DEFAULT}`,
    at: null
  }
  const cri = criUse(tree, lookup)
  return { cri, nerdctl, ctr, pull: pullPrediction(tree, vars, lookup, { cri, nerdctl, ctr }) }
}

type Lookup = (name: string) => string | undefined

/** The cell's vars first (they are group vars, which beat role defaults), then the tree's defaults. */
function variableLookup(tree: KubesprayTree, vars: GroupVars): Lookup {
  const lookup = (name: string, depth: number): string | undefined => {
    if (Object.hasOwn(vars, name)) return scalar(vars[name])
    const definition = tree.definitions.get(name)
    if (definition === undefined || depth >= MAX_LOOKUP_DEPTH) return undefined
    return evaluate(definition.value, n => lookup(n, depth + 1))
  }
  return name => lookup(name, 0)
}

function explain(value: TemplateValue, lookup: Lookup, at: TreeLine, what: string): SnapshotterUse {
  const snapshotter = evaluate(value, lookup)
  const source = `${what} (${at.path}:${at.line}) is ${describeValue(value)}`
  return {
    snapshotter,
    because: snapshotter === undefined ? `${source}: not known statically` : `${source} = ${snapshotter}`,
    at
  }
}

/**
 * The CRI's snapshotter. kubespray renders one of its templates by containerd version; `config.toml.j2`
 * is the one its own default containerd uses, so it decides when the templates differ.
 */
function criUse(tree: KubesprayTree, lookup: Lookup): SnapshotterUse {
  const main = tree.criSnapshotter.find(s => s.at.path.endsWith('/config.toml.j2')) ?? tree.criSnapshotter[0]!
  return explain(main.value, lookup, main.at, `containerd's CRI snapshotter ${criSection(main)}`)
}

function criSection(setting: CriSnapshotterSetting): string {
  return setting.section === '' ? '' : `[${setting.section}]`
}

function nerdctlUse(tree: KubesprayTree, lookup: Lookup): SnapshotterUse {
  const setting = tree.nerdctl
  switch (setting.kind) {
    case 'template':
      return explain(setting.value, lookup, setting.at, "nerdctl.toml's snapshotter")
    case 'unset':
      return {
        snapshotter: TOOLS_DEFAULT,
        because: `nerdctl.toml (${setting.template.path}) sets no snapshotter: nerdctl's default, ${TOOLS_DEFAULT}`,
        at: setting.template
      }
    case 'no-template':
      return {
        snapshotter: TOOLS_DEFAULT,
        because: `kubespray writes no nerdctl.toml: nerdctl's default, ${TOOLS_DEFAULT}`,
        at: setting.role
      }
    default: {
      const never: never = setting
      throw new Error(`unknown nerdctl setting ${JSON.stringify(never)}`)
    }
  }
}

function pullPrediction(
  tree: KubesprayTree,
  vars: GroupVars,
  lookup: Lookup,
  uses: { cri: SnapshotterUse; nerdctl: SnapshotterUse; ctr: SnapshotterUse }
): PullPrediction | null {
  const chosen = chosenPull(tree, vars, lookup)
  if (chosen === null) return null
  const flag = snapshotterFlag(chosen.command)
  const use: SnapshotterUse =
    flag !== null
      ? {
          snapshotter: evaluate(flag, lookup),
          because: `the pull passes --snapshotter ${describeValue(flag)}`,
          at: chosen.at
        }
      : chosen.tool === 'crictl'
        ? { ...uses.cri, because: `crictl pulls through the CRI: ${uses.cri.because}` }
        : uses[chosen.tool]
  return { ...chosen, use }
}

type ChosenPull = Omit<PullPrediction, 'use'>

/**
 * The command `image_pull_command` comes to: `<image_command_tool>_image_pull_command` from the cell's
 * vars or the tree (v2.19+), or, in trees without `image_command_tool` (v2.18), the set_fact's nerdctl
 * command that containerd nodes always used.
 */
function chosenPull(tree: KubesprayTree, vars: GroupVars, lookup: Lookup): ChosenPull | null {
  if (!tree.selectsPullTool) {
    const fixed = tree.pullCommands.find(p => p.variable === 'image_pull_command' && p.tool === 'nerdctl')
    if (fixed === undefined) return null
    return {
      tool: fixed.tool,
      command: fixed.command,
      variable: fixed.variable,
      at: fixed.at,
      note: 'this kubespray has no image_command_tool: containerd nodes always pull with nerdctl'
    }
  }
  const variable = `${lookup('image_command_tool') ?? 'nerdctl'}_image_pull_command`
  const own = scalar(vars[variable])
  const defined = tree.pullCommands.find(p => p.variable === variable)
  const command = own ?? defined?.command
  const tool = command === undefined ? null : commandTool(command)
  if (command === undefined || tool === null) return null
  return { tool, command, variable, at: own === undefined ? (defined?.at ?? null) : null }
}

/** A group var as Jinja would print it; lists and mappings never name a snapshotter or a command. */
function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return undefined
}
