import { DefaultArtifactClient } from '@actions/artifact'
import { unzipSync } from 'fflate'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, normalize, relative, sep } from 'node:path'
import { filesUnder } from '../host/files-under.js'
import type { Log } from '../log/log.js'
import { MAX_SHARDS, type Shard } from '../plan/shard.js'
import type { GitHubClient } from './client.js'

/** The tested run's event payload, uploaded beside the results so a workflow_run workflow can find its pull request. */
export const EVENT_FILE = 'event.json'

/** Where mode report unpacks each downloaded artifact, one directory per artifact, under output-dir. */
export const DOWNLOADS_DIR = 'artifacts'

export interface ArtifactShard {
  readonly index: number
  readonly count: number
  readonly attempt: number
}

/**
 * `<prefix>-shard-<i>-of-<n>-attempt-<k>`: unique per shard and run attempt, because an artifact name
 * can be used once per workflow run and a re-run job uploads again.
 */
export function resultsArtifactName(prefix: string, shard: Shard | null, attempt: number): string {
  const { index, count } = shard ?? { index: 1, count: 1 }
  return `${prefix}-shard-${index}-of-${count}-attempt-${attempt}`
}

export function parseResultsArtifactName(prefix: string, name: string): ArtifactShard | null {
  if (!name.startsWith(`${prefix}-`)) return null
  const m = /^shard-(\d+)-of-(\d+)-attempt-(\d+)$/.exec(name.slice(prefix.length + 1))
  if (m === null) return null
  const [index, count, attempt] = [Number(m[1]), Number(m[2]), Number(m[3])]
  // Names can come from another run (a fork's, in the workflow_run pattern): only shapes a plan makes.
  return index >= 1 && index <= count && count <= MAX_SHARDS && attempt >= 1
    ? { index, count, attempt }
    : null
}

/** Uploads every file under `dir` (results, report, logs, event file) as artifact `name`. */
export async function uploadResults(name: string, dir: string): Promise<{ id?: number; files: number }> {
  const files = filesUnder(dir)
  const uploaded = await new DefaultArtifactClient().uploadArtifact(name, files, dir)
  return { ...(uploaded.id === undefined ? {} : { id: uploaded.id }), files: files.length }
}

export interface Downloaded {
  /** Names of the artifacts unpacked, one directory each under `into`. */
  readonly artifacts: readonly string[]
  /** Shards of the planned split with no artifact (their job failed before uploading, or was cancelled). */
  readonly missing: readonly string[]
}

/**
 * Downloads the results artifacts of a workflow run through the REST API (which lists artifacts of
 * the current run as soon as they are uploaded, and of any other run of the repository, given
 * `actions: read`), keeping the latest attempt of each shard, and unpacks each under `into`.
 */
export async function downloadResults(
  client: GitHubClient,
  repo: { readonly owner: string; readonly repo: string },
  runId: number,
  prefix: string,
  into: string,
  log: Log
): Promise<Downloaded> {
  const listed = await client.paginate(client.rest.actions.listWorkflowRunArtifacts, {
    ...repo,
    run_id: runId,
    per_page: 100
  })
  const latest = new Map<string, { id: number; name: string; attempt: number; count: number }>()
  for (const a of listed) {
    const shard = parseResultsArtifactName(prefix, a.name)
    if (shard === null || a.expired) continue
    const key = `${shard.index}/${shard.count}`
    const seen = latest.get(key)
    if (seen === undefined || seen.attempt < shard.attempt)
      latest.set(key, { id: a.id, name: a.name, ...shard })
  }
  const chosen = [...latest.values()].sort((a, b) => a.name.localeCompare(b.name))
  const counts = new Set(chosen.map(a => a.count))
  const missing = [...counts].flatMap(count =>
    Array.from({ length: count }, (_, i) => `${i + 1}/${count}`).filter(key => !latest.has(key))
  )
  for (const artifact of chosen) {
    const dir = join(into, artifact.name)
    const zip = await downloadZip(client, repo, artifact.id)
    const files = unpack(zip, dir)
    log.info(`Downloaded artifact ${artifact.name} (${files} files)`)
  }
  return { artifacts: chosen.map(a => a.name), missing }
}

async function downloadZip(
  client: GitHubClient,
  repo: { readonly owner: string; readonly repo: string },
  id: number
): Promise<Uint8Array> {
  // The API answers with a redirect to a signed storage URL; following it by hand keeps the token
  // off the storage host.
  const answer = await client.rest.actions.downloadArtifact({
    ...repo,
    artifact_id: id,
    archive_format: 'zip',
    request: { redirect: 'manual' }
  })
  const location = (answer.headers as Record<string, string | undefined>).location
  if (location === undefined)
    throw new Error(`artifact ${id}: the API gave no download location (${answer.status})`)
  const response = await fetch(location)
  if (!response.ok)
    throw new Error(`artifact ${id}: download failed with ${response.status} ${response.statusText}`)
  return new Uint8Array(await response.arrayBuffer())
}

/** Unpacks a zip under `dir`; an entry that would land outside it (absolute, `..`) is refused. */
export function unpack(zip: Uint8Array, dir: string): number {
  let files = 0
  for (const [name, data] of Object.entries(unzipSync(zip))) {
    const path = normalize(join(dir, name))
    const rel = relative(dir, path)
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || name.startsWith('/')) {
      throw new Error(`refusing artifact entry ${JSON.stringify(name)}: it points outside ${dir}`)
    }
    if (name.endsWith('/')) {
      mkdirSync(path, { recursive: true })
      continue
    }
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, data)
    files++
  }
  return files
}

/** The first event file under `dir` (downloaded artifacts, or a directory the user filled), or null. */
export function findEventFile(dir: string): string | null {
  if (!existsSync(dir)) return null
  if (existsSync(join(dir, EVENT_FILE))) return join(dir, EVENT_FILE)
  return filesUnder(dir).find(f => basename(f) === EVENT_FILE) ?? null
}
