/**
 * crictl and nerdctl for the guests. Debian packages neither, so they come from their GitHub release
 * archives, pinned by sha256, and are kept in the cache directory; other code copies them into the guest.
 * A failure to get one is a reason (the caller turns it into skipped cells), never an exception.
 */
import { createHash } from 'node:crypto'
import { createReadStream, existsSync, readFileSync } from 'node:fs'
import { chmod, lstat, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cmd } from '../exec/command.js'
import { DownloadError, downloadTo } from '../host/http-download.js'
import { CommandError, check, type Executor } from '../exec/executor.js'

export type DownloadedTool = 'crictl' | 'nerdctl'

export interface ToolRelease {
  readonly tool: DownloadedTool
  readonly version: string
  readonly url: string
  readonly sha256: string
  /** path of the binary inside the archive */
  readonly member: string
}

/**
 * Versions and checksums are kubespray master's defaults (roles/kubespray_defaults/vars/main/checksums.yml,
 * linux amd64); bump both together.
 */
export const TOOL_RELEASES: Readonly<Record<DownloadedTool, ToolRelease>> = {
  crictl: {
    tool: 'crictl',
    version: '1.35.0',
    url: 'https://github.com/kubernetes-sigs/cri-tools/releases/download/v1.35.0/crictl-v1.35.0-linux-amd64.tar.gz',
    sha256: '2e141e5b22cb189c40365a11807d69b76b9b3caced89fac2f4ec879408ce2177',
    member: 'crictl'
  },
  nerdctl: {
    tool: 'nerdctl',
    version: '2.3.0',
    url: 'https://github.com/containerd/nerdctl/releases/download/v2.3.0/nerdctl-2.3.0-linux-amd64.tar.gz',
    sha256: 'e81f6f999cce35ed998cf24b922855d37306bf2ff0e4c0df80492d82b0b58fd6',
    member: 'nerdctl'
  }
}

export type ToolAvailability =
  | { readonly kind: 'ready'; readonly path: string; readonly version: string }
  | { readonly kind: 'unavailable'; readonly reason: string }

export interface ObtainOptions {
  readonly cacheDir: string
  readonly exec: Executor
  readonly signal?: AbortSignal
  /** Limit for the whole download (connect and body); default 60 s. */
  readonly timeoutMs?: number
}

export interface InstallOptions {
  readonly cacheDir: string
  readonly exec: Executor
}

const DEFAULT_TIMEOUT_MS = 60_000
const TAR_TIMEOUT_MS = 120_000
/** Beside the binary: the pinned sha256 of the archive it came from, so a bumped pin is not served stale. */
const SHA_FILE = 'archive.sha256'

/**
 * The tool from the cache, or downloaded, verified and installed into it.
 * Layout: <cacheDir>/tools/<tool>-<version>/{<tool>,archive.sha256}.
 */
export async function obtainTool(release: ToolRelease, options: ObtainOptions): Promise<ToolAvailability> {
  const cached = installed(release, options.cacheDir)
  if (cached !== undefined) return cached
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  let staging: string | undefined
  try {
    staging = await makeStaging(release, options.cacheDir)
    const archive = join(staging, 'archive.tar.gz')
    const failure = await download(release, archive, timeoutMs, options.signal)
    if (failure !== undefined) {
      return unavailable(
        `${release.tool} ${release.version} could not be downloaded from ${release.url}: ${failure}`
      )
    }
    return await install(release, archive, staging, options.cacheDir, options.exec, options.signal)
  } catch (e) {
    return unavailable(`${label(release)}: ${describeError(e)}`)
  } finally {
    if (staging !== undefined) await rm(staging, { recursive: true, force: true }).catch(() => undefined)
  }
}

/** Verifies a release archive already on disk against the pinned sha256 and installs its binary. */
export async function installFromArchive(
  release: ToolRelease,
  archivePath: string,
  options: InstallOptions
): Promise<ToolAvailability> {
  let staging: string | undefined
  try {
    staging = await makeStaging(release, options.cacheDir)
    return await install(release, archivePath, staging, options.cacheDir, options.exec, undefined)
  } catch (e) {
    return unavailable(`${label(release)}: ${describeError(e)}`)
  } finally {
    if (staging !== undefined) await rm(staging, { recursive: true, force: true }).catch(() => undefined)
  }
}

function toolDir(release: ToolRelease, cacheDir: string): string {
  return join(cacheDir, 'tools', `${release.tool}-${release.version}`)
}

/** Ready when the binary is in place and came from an archive with the pinned checksum. */
function installed(release: ToolRelease, cacheDir: string): ToolAvailability | undefined {
  const dir = toolDir(release, cacheDir)
  const path = join(dir, release.tool)
  try {
    if (!existsSync(path)) return undefined
    const recorded = readFileSync(join(dir, SHA_FILE), 'utf8').trim().split(/\s+/)[0]
    if (recorded?.toLowerCase() !== release.sha256.toLowerCase()) return undefined
  } catch {
    return undefined
  }
  return { kind: 'ready', path, version: release.version }
}

/** A fresh `<tool>-<version>.partial-<pid>-XXXXXX` directory beside the final one; the caller removes it. */
async function makeStaging(release: ToolRelease, cacheDir: string): Promise<string> {
  const tools = join(cacheDir, 'tools')
  await mkdir(tools, { recursive: true })
  return mkdtemp(join(tools, `${release.tool}-${release.version}.partial-${process.pid}-`))
}

/** Downloads `release.url` into `path`; the cause of a failure, or undefined. */
export async function download(
  release: Pick<ToolRelease, 'url'>,
  path: string,
  timeoutMs: number,
  callerSignal: AbortSignal | undefined
): Promise<string | undefined> {
  const timeout = AbortSignal.timeout(timeoutMs)
  const signal = callerSignal === undefined ? timeout : AbortSignal.any([callerSignal, timeout])
  const aborted = (e: unknown): string =>
    callerSignal?.aborted === true
      ? 'cancelled'
      : timeout.aborted
        ? `timed out after ${Math.round(timeoutMs / 1000)}s`
        : describeError(e)
  try {
    await downloadTo(release.url, path, signal)
    return undefined
  } catch (e) {
    if (e instanceof DownloadError && !signal.aborted) return e.message
    return aborted(e)
  }
}

/** Verify, extract the member, record the checksum, and move the result into place. */
async function install(
  release: ToolRelease,
  archive: string,
  staging: string,
  cacheDir: string,
  exec: Executor,
  signal: AbortSignal | undefined
): Promise<ToolAvailability> {
  const got = await sha256File(archive)
  if (got !== release.sha256.toLowerCase()) {
    return unavailable(
      `${label(release)}: archive sha256 is ${got}, expected ${release.sha256} (kubespray's checksums.yml)`
    )
  }
  const unpacked = join(staging, 'unpacked')
  const ready = join(staging, 'ready')
  await mkdir(unpacked)
  await mkdir(ready)
  try {
    await check(exec, cmd('tar', '-xzf', archive, '-C', unpacked, release.member), {
      timeoutMs: TAR_TIMEOUT_MS,
      ...(signal === undefined ? {} : { signal })
    })
  } catch (e) {
    if (e instanceof CommandError && /not found in archive/i.test(e.result.stderr)) {
      return unavailable(`${label(release)}: archive has no ${release.member}`)
    }
    throw e
  }
  const extracted = join(unpacked, release.member)
  const stat = await lstat(extracted).catch(() => undefined)
  if (stat === undefined) return unavailable(`${label(release)}: archive has no ${release.member}`)
  if (!stat.isFile()) {
    return unavailable(`${label(release)}: ${release.member} in the archive is not a regular file`)
  }
  const binary = join(ready, release.tool)
  await rename(extracted, binary)
  await chmod(binary, 0o755)
  await writeFile(join(ready, SHA_FILE), `${release.sha256}  ${archiveName(release)}\n`)

  const final = toolDir(release, cacheDir)
  try {
    await rename(ready, final)
  } catch (e) {
    // Another process installed it first: keep theirs.
    const theirs = installed(release, cacheDir)
    if (theirs !== undefined) return theirs
    const code = (e as NodeJS.ErrnoException).code
    if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw e
    // A stale directory (an older pin of the same version, or debris): replace it.
    await rm(final, { recursive: true, force: true })
    await rename(ready, final)
  }
  return { kind: 'ready', path: join(final, release.tool), version: release.version }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

function archiveName(release: ToolRelease): string {
  return release.url.slice(release.url.lastIndexOf('/') + 1) || `${release.tool}.tar.gz`
}

function label(release: ToolRelease): string {
  return `${release.tool} ${release.version} from ${release.url}`
}

function unavailable(reason: string): ToolAvailability {
  return { kind: 'unavailable', reason }
}

/**
 * fetch's "fetch failed" says nothing; the why (DNS, refused, TLS) is in its cause. Duck-typed, not
 * instanceof: fetch's errors come from another realm under jest's VM modules.
 */
function describeError(e: unknown): string {
  if (!isErrorLike(e)) return plain(e)
  const cause = describeCause(e.cause)
  return cause === '' || e.message.includes(cause) ? e.message : `${e.message} (${cause})`
}

function describeCause(cause: unknown): string {
  if (cause === undefined || cause === null) return ''
  if (!isErrorLike(cause)) return plain(cause)
  const code = typeof cause.code === 'string' ? cause.code : undefined
  // Undici reports a refused connection to every address as an AggregateError with no message.
  const message =
    cause.message !== ''
      ? cause.message
      : Array.isArray(cause.errors)
        ? cause.errors.map(x => (isErrorLike(x) ? x.message : plain(x))).join('; ')
        : ''
  if (message === '') return code ?? cause.name ?? 'unknown error'
  return code === undefined || message.includes(code) ? message : `${message} (${code})`
}

interface ErrorLike {
  readonly message: string
  readonly name?: string
  readonly code?: unknown
  readonly cause?: unknown
  readonly errors?: unknown
}

function isErrorLike(x: unknown): x is ErrorLike {
  return typeof x === 'object' && x !== null && typeof (x as { message?: unknown }).message === 'string'
}

/** Something thrown that is not an error: a string as is, anything else as JSON. */
function plain(x: unknown): string {
  if (typeof x === 'string') return x
  try {
    return JSON.stringify(x) ?? typeof x
  } catch {
    return typeof x
  }
}
