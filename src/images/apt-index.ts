import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cmd, type Command } from '../exec/command.js'
import { check, type Executor } from '../exec/executor.js'

/**
 * A private apt root that reads the mirror's indexes without touching the host's apt state. Used to
 * resolve the package versions a build would install, so the cache key changes exactly when the mirror
 * moves (nothing is pinned that could not be resolved again).
 */
export class AptIndex {
  constructor(
    readonly root: string,
    private readonly sources: readonly string[],
    private readonly keyring: string
  ) {}

  /** apt options pointing every directory at the private root. */
  options(): string[] {
    const r = this.root
    return [
      '-o',
      `Dir::State=${join(r, 'state')}`,
      '-o',
      `Dir::State::status=${join(r, 'state', 'status')}`,
      '-o',
      `Dir::Cache=${join(r, 'cache')}`,
      '-o',
      `Dir::Etc::SourceList=${join(r, 'sources.list')}`,
      '-o',
      `Dir::Etc::SourceParts=${join(r, 'sources.list.d')}`,
      '-o',
      `Dir::Etc::Preferences=${join(r, 'preferences')}`,
      '-o',
      `Dir::Etc::PreferencesParts=${join(r, 'preferences.d')}`,
      '-o',
      `Dir::Etc::Trusted=${this.keyring}`,
      '-o',
      'APT::Architecture=amd64',
      '-o',
      'Acquire::Languages=none'
    ]
  }

  prepare(): void {
    for (const d of ['state/lists/partial', 'cache/archives/partial', 'sources.list.d', 'preferences.d']) {
      mkdirSync(join(this.root, d), { recursive: true })
    }
    writeFileSync(join(this.root, 'state', 'status'), '')
    writeFileSync(join(this.root, 'preferences'), '')
    writeFileSync(join(this.root, 'sources.list'), `${this.sources.join('\n')}\n`)
  }

  updateCommand(): Command {
    return cmd('apt-get', ...this.options(), '-q', 'update')
  }

  /** Downloads the candidate .deb of `name` into `dir` (apt-get download writes to its cwd). */
  downloadCommand(name: string, dir: string): Command {
    return { ...cmd('apt-get', ...this.options(), '-q', 'download', name), cwd: dir }
  }

  madisonCommand(packages: readonly string[]): Command {
    return cmd('apt-cache', ...this.options(), 'madison', ...packages)
  }

  /** Resolves each package's version in the given release; throws naming what the mirror does not have. */
  async resolve(
    exec: Executor,
    wanted: readonly { readonly name: string; readonly release: string }[],
    signal?: AbortSignal
  ): Promise<Record<string, string>> {
    this.prepare()
    await check(exec, this.updateCommand(), { signal, timeoutMs: 10 * 60_000 }).catch((e: Error) => {
      throw new Error(`could not read the package indexes from the mirror: ${e.message}`)
    })
    const out = await check(exec, this.madisonCommand([...new Set(wanted.map(w => w.name))]), { signal })
    const rows = parseMadison(out.stdout)
    const missing: string[] = []
    const versions: Record<string, string> = {}
    for (const w of wanted) {
      const version = pickVersion(rows, w.name, w.release)
      if (version === undefined) missing.push(`${w.name} (${w.release})`)
      else versions[w.name] = version
    }
    if (missing.length > 0) throw new Error(`the mirror has no ${missing.join(', ')}`)
    return versions
  }
}

export interface MadisonRow {
  readonly name: string
  readonly version: string
  /** e.g. `bookworm-backports/contrib`. */
  readonly release: string
}

/** Parses `apt-cache madison` lines: `zfs-dkms | 2.3.2-2~bpo12+2 | http://… bookworm-backports/contrib amd64 Packages`. */
export function parseMadison(text: string): MadisonRow[] {
  return text
    .split('\n')
    .map(line => line.split('|').map(s => s.trim()))
    .filter(parts => parts.length === 3 && / Packages$/.test(parts[2]!))
    .map(([name, version, source]) => ({
      name: name!,
      version: version!,
      release: source!.split(' ')[1] ?? ''
    }))
}

/** The first (highest, as madison sorts) version of `name` served from `release` (`bookworm` ≠ `bookworm-backports`). */
export function pickVersion(rows: readonly MadisonRow[], name: string, release: string): string | undefined {
  return rows.find(r => r.name === name && r.release.split('/')[0] === release)?.version
}
