import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AnsibleVersions } from '../ansible.js'

/** A version the checkout asks for, and where it says so. */
export interface Need {
  readonly version: string
  /** `playbooks/ansible_version.yml:8` */
  readonly at: string
}

/** What the checkout declares of the Ansible that runs it. */
export interface AnsibleNeeds {
  readonly minAnsible: Need | null
  /** Exclusive. */
  readonly maxAnsible: Need | null
  /** requirements.txt's Jinja pin: its major.minor series is needed. */
  readonly jinja: Need | null
}

const VERSION_FILES = ['playbooks/ansible_version.yml', 'ansible_version.yml']

/** Reads kubespray's own version check (`ansible_version.yml`) and requirements.txt's `jinja2` pin. */
export function readAnsibleNeeds(root: string): AnsibleNeeds {
  let minAnsible: Need | null = null
  let maxAnsible: Need | null = null
  for (const file of VERSION_FILES) {
    const path = join(root, file)
    if (!existsSync(path)) continue
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        const m = /^\s*(minimal|maximal)_ansible_version:\s*['"]?([\d.]+)/.exec(text)
        if (m === null) return
        const need = { version: m[2]!, at: `${file}:${i + 1}` }
        if (m[1] === 'minimal') minAnsible ??= need
        else maxAnsible ??= need
      })
    break
  }
  return { minAnsible, maxAnsible, jinja: jinjaPin(root) }
}

function jinjaPin(root: string): Need | null {
  const path = join(root, 'requirements.txt')
  if (!existsSync(path)) return null
  const lines = readFileSync(path, 'utf8').split('\n')
  for (const [i, text] of lines.entries()) {
    const m = /^\s*jinja2\s*(?:==|>=|~=)\s*([\d.]+)/i.exec(text)
    if (m !== null) return { version: m[1]!, at: `requirements.txt:${i + 1}` }
  }
  return null
}

export type NeedsCheck =
  | { readonly kind: 'ok'; readonly notes: readonly string[] }
  | { readonly kind: 'too-old'; readonly reason: string }

/**
 * Whether the found Ansible can render this checkout. An Ansible or Jinja older than the checkout
 * asks for is refused (its cells are skipped with what is needed); one newer than kubespray's
 * supported range renders, with a note, since templates and defaults do not use what newer releases
 * removed as often as kubespray's playbooks do.
 */
export function checkNeeds(needs: AnsibleNeeds, found: AnsibleVersions | undefined): NeedsCheck {
  const core = found?.core ?? null
  const jinja = found?.jinja ?? null
  const tooOld: string[] = []
  if (needs.minAnsible !== null && core !== null && compare(core, needs.minAnsible.version) < 0) {
    tooOld.push(`Ansible >= ${needs.minAnsible.version} (${needs.minAnsible.at}); found ansible-core ${core}`)
  }
  if (needs.jinja !== null && jinja !== null && compare(series(jinja), series(needs.jinja.version)) < 0) {
    tooOld.push(`Jinja ${series(needs.jinja.version)} (${needs.jinja.at}); found Jinja ${jinja}`)
  }
  if (tooOld.length > 0) {
    return {
      kind: 'too-old',
      reason: `the checkout needs ${tooOld.join(' and ')}: use ansible: venv (its requirements.txt) or install a newer Ansible`
    }
  }
  const notes: string[] = []
  if (core === null) notes.push("could not read ansible-core's version")
  if (needs.maxAnsible !== null && core !== null && compare(core, needs.maxAnsible.version) >= 0) {
    notes.push(
      `ansible-core ${core} is newer than the checkout supports (< ${needs.maxAnsible.version}, ${needs.maxAnsible.at})`
    )
  }
  return { kind: 'ok', notes }
}

function series(version: string): string {
  return version.split('.').slice(0, 2).join('.')
}

export function compare(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}
