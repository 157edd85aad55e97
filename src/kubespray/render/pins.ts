import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import type { GroupVars } from '../cell-vars.js'
import { runGenerated, writeLayout, type PlaybookContext } from './render-ansible.js'
import { LOCAL, RENDER_ROLE, variableLinks } from './render-playbook.js'
import type { RenderRecipe } from './render-recipe.js'

/** What kubespray installs on a containerd node from its own download URLs and checksums. */
export const PINNED_BINARIES = ['containerd', 'runc', 'nerdctl', 'crictl'] as const
export type PinnedName = (typeof PINNED_BINARIES)[number]

/** One of them as the checkout pins it, evaluated by Ansible (`downloads.<name>`, `<name>_version`). */
export interface PinnedBinary {
  readonly name: PinnedName
  readonly version: string
  readonly url: string
  /** Hex, from the checkout's checksum (`sha256:…` in kubespray's checksums files, or bare). */
  readonly sha256: string
}

export type Pins = Readonly<Record<PinnedName, PinnedBinary>>

export type PinsReading =
  { readonly kind: 'pins'; readonly pins: Pins } | { readonly kind: 'unavailable'; readonly reason: string }

const PINS_FILE = 'pins.json'

/**
 * The containerd, runc, nerdctl and crictl the checkout would install, as Ansible evaluates its own
 * `downloads` entries (url, checksum) and versions with `kubespray-vars` (an offline `files_repo`
 * applies) on this host's platform facts: the node is a VM of the host's architecture.
 */
export async function readPins(
  recipe: RenderRecipe,
  userVars: GroupVars,
  context: Omit<PlaybookContext, 'root'>
): Promise<PinsReading> {
  rmSync(context.dir, { recursive: true, force: true })
  const out = join(context.dir, PINS_FILE)
  writeLayout(context.dir, [
    ...variableLinks(recipe),
    {
      kind: 'file',
      path: 'inventory/hosts.yml',
      content: stringify({ all: { hosts: { 'zjm-pins': LOCAL } } })
    },
    {
      kind: 'file',
      path: 'inventory/group_vars/all/kubespray-vars.yml',
      content: `# Written by zfs-join-matrix: the kubespray-vars input.\n${stringify(userVars)}`
    },
    { kind: 'file', path: `roles/${RENDER_ROLE}/tasks/pins.yml`, content: stringify(pinsTasks(out)) },
    {
      kind: 'file',
      path: 'pins.yml',
      content: stringify([
        {
          name: 'zfs-join-matrix: what the checkout installs',
          hosts: 'zjm-pins',
          gather_facts: true,
          gather_subset: ['!all', '!min', 'platform'],
          tasks: [{ import_role: { name: RENDER_ROLE, tasks_from: 'pins.yml' } }]
        }
      ])
    }
  ])
  const failure = await runGenerated({ ...context, root: recipe.root }, 'pins.yml', 'pins.log', 1)
  if (failure !== null || !existsSync(out)) {
    return {
      kind: 'unavailable',
      reason: `the checkout's pinned downloads could not be read: ${failure ?? 'no result'}`
    }
  }
  return parsePins(JSON.parse(readFileSync(out, 'utf8')) as Record<string, Record<string, unknown>>)
}

function pinsTasks(out: string): unknown[] {
  const entry = (name: string) =>
    `'${name}': {'version': ${name}_version | default(''), 'url': (downloads['${name}'] | default({})).url | default(''), 'checksum': (downloads['${name}'] | default({})).checksum | default((downloads['${name}'] | default({})).sha256 | default(''))}`
  return [
    {
      name: "zfs-join-matrix: the checkout's downloads of containerd, runc, nerdctl, crictl",
      copy: { content: `{{ {${PINNED_BINARIES.map(entry).join(', ')}} | to_json }}`, dest: out }
    }
  ]
}

/** Every pin needs a version, a URL and a sha256; kubespray writes checksums as `sha256:<hex>` or bare. */
export function parsePins(raw: Record<string, Record<string, unknown>>): PinsReading {
  const pins: Partial<Record<(typeof PINNED_BINARIES)[number], PinnedBinary>> = {}
  for (const name of PINNED_BINARIES) {
    const { version, url, checksum } = raw[name] ?? {}
    const sha256 = typeof checksum === 'string' ? checksum.replace(/^sha256:/, '').trim() : ''
    if (
      typeof version !== 'string' ||
      version === '' ||
      typeof url !== 'string' ||
      url === '' ||
      !/^[0-9a-f]{64}$/i.test(sha256)
    ) {
      return {
        kind: 'unavailable',
        reason: `the checkout pins no usable ${name} download (downloads.${name}: version ${JSON.stringify(version)}, url ${JSON.stringify(url)}, checksum ${JSON.stringify(checksum)})`
      }
    }
    pins[name] = { name, version, url, sha256: sha256.toLowerCase() }
  }
  return { kind: 'pins', pins: pins as Pins }
}
