import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { cmd, shellQuote } from '../../exec/command.js'
import { check } from '../../exec/executor.js'
import { nodeExecutor, type Node } from '../../providers/provider.js'
import type { HostContext } from '../../host/context.js'
import type { Config } from '../../inputs/config.js'
import { PINNED_BINARIES, readPins, type PinnedBinary, type PinnedName } from '../../kubespray/render/pins.js'
import type { RenderPlan } from './checkout-configs.js'
import { download, sha256File } from '../../containerd/tool-archives.js'

export type PinnedFile =
  | { readonly kind: 'ready'; readonly pin: PinnedBinary; readonly path: string }
  | { readonly kind: 'unavailable'; readonly reason: string }

const DOWNLOAD_TIMEOUT_MS = 5 * 60_000

/**
 * The pinned file from `<cacheDir>/tools/pinned/<name>-<version>-<sha256 prefix>/`, or downloaded and
 * checked against the checkout's sha256 first. A file that cannot be had is a reason (its cells are
 * skipped), never a binary of another version.
 */
export async function obtainPinned(
  pin: PinnedBinary,
  options: { readonly cacheDir: string; readonly signal?: AbortSignal }
): Promise<PinnedFile> {
  const name = pin.url.slice(pin.url.lastIndexOf('/') + 1) || pin.name
  const dir = join(
    options.cacheDir,
    'tools',
    'pinned',
    `${pin.name}-${pin.version}-${pin.sha256.slice(0, 12)}`
  )
  const path = join(dir, name)
  if (existsSync(path)) return { kind: 'ready', pin, path }
  const what = `${pin.name} ${pin.version} (the checkout's pin) from ${pin.url}`
  await mkdir(join(options.cacheDir, 'tools', 'pinned'), { recursive: true })
  const staging = await mkdtemp(`${dir}.partial-${process.pid}-`)
  try {
    const staged = join(staging, name)
    const failure = await download(pin, staged, DOWNLOAD_TIMEOUT_MS, options.signal)
    if (failure !== undefined)
      return { kind: 'unavailable', reason: `${what} could not be downloaded: ${failure}` }
    const got = await sha256File(staged)
    if (got !== pin.sha256.toLowerCase()) {
      return { kind: 'unavailable', reason: `${what}: sha256 is ${got}, the checkout pins ${pin.sha256}` }
    }
    try {
      await rename(staging, dir)
    } catch (e) {
      // Another run put it in place first: theirs is the same file.
      if (!existsSync(path)) throw e
    }
    return { kind: 'ready', pin, path }
  } finally {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined)
  }
}

/** Where kubespray puts them (`bin_dir`), where the checkout's templates and pulls name them. */
const BIN_DIR = '/usr/local/bin'
const UNIT_DROP_IN = '/etc/systemd/system/containerd.service.d/zjm-pinned.conf'

/**
 * Installs the pinned files on the node as kubespray does: containerd's archive unpacked into
 * `bin_dir` without its top directory, runc as it is, nerdctl's and crictl's binary from their
 * archives. Debian's containerd unit is pointed at that containerd. Returns the installed containerd's
 * `--version` line.
 */
export async function installPinned(
  node: Node,
  files: Readonly<Record<PinnedName, Extract<PinnedFile, { kind: 'ready' }>>>,
  signal: AbortSignal
): Promise<string> {
  const remote = (f: PinnedName) => `/tmp/zjm-pinned-${f}`
  for (const name of PINNED_BINARIES) await node.copyIn(files[name].path, remote(name))
  const script = [
    'set -eu',
    `mkdir -p ${BIN_DIR} ${shellQuote(UNIT_DROP_IN.replace(/\/[^/]+$/, ''))}`,
    // The links the probe makes to Debian's ctr and runc give way to the pinned ones.
    `rm -f ${BIN_DIR}/ctr ${BIN_DIR}/runc`,
    `tar -xzf ${remote('containerd')} -C ${BIN_DIR} --strip-components=1`,
    `install -m 0755 ${remote('runc')} ${BIN_DIR}/runc`,
    `tar -xzf ${remote('nerdctl')} -C ${BIN_DIR} nerdctl`,
    `tar -xzf ${remote('crictl')} -C ${BIN_DIR} crictl`,
    `rm -f ${PINNED_BINARIES.map(remote).join(' ')}`,
    `printf '[Service]\\nExecStart=\\nExecStart=${BIN_DIR}/containerd\\n' > ${shellQuote(UNIT_DROP_IN)}`,
    'systemctl daemon-reload',
    `${BIN_DIR}/containerd --version`
  ].join('\n')
  const r = await check(
    nodeExecutor(node),
    { ...cmd('sh', '-s'), input: script },
    { signal, timeoutMs: 5 * 60_000 }
  )
  return r.stdout.trim().split('\n').at(-1) ?? ''
}

/** `containerd github.com/containerd/containerd/v2 v2.3.4 <commit>` → `2.3.4`. */
export function containerdVersionLine(line: string): string | null {
  return /\sv?(\d+\.\d+\.\d+)(?:\s|$)/.exec(line)?.[1] ?? null
}

/** What the node runs: the image's own containerd and runc, or the checkout's pinned downloads. */
export type Binaries =
  | { readonly kind: 'image' }
  | {
      readonly kind: 'pinned'
      readonly files: Readonly<Record<PinnedName, Extract<PinnedFile, { kind: 'ready' }>>>
    }
  | { readonly kind: 'unavailable'; readonly reason: string }

export async function obtainCheckoutBinaries(
  env: { readonly config: Config; readonly host: HostContext },
  render: Extract<RenderPlan, { kind: 'ready' }>
): Promise<Binaries> {
  const pins = await readPins(render.recipe, env.config.kubesprayVars, {
    ansible: render.ansible,
    dir: join(env.host.workDir, 'pins'),
    logDir: join(env.config.outputDir, 'logs'),
    exec: env.host.exec,
    log: env.host.log,
    signal: env.host.signal,
    timeoutMs: env.config.cellTimeoutMs
  })
  if (pins.kind === 'unavailable') return pins
  const files: Partial<Record<PinnedName, Extract<PinnedFile, { kind: 'ready' }>>> = {}
  for (const name of PINNED_BINARIES) {
    const file = await obtainPinned(pins.pins[name], {
      cacheDir: env.config.imageCache,
      signal: env.host.signal
    })
    if (file.kind === 'unavailable')
      return { kind: 'unavailable', reason: `probe-binaries: checkout: ${file.reason}` }
    files[name] = file
  }
  env.host.log.info(
    `probe: the checkout's pins: ${PINNED_BINARIES.map(n => `${n} ${pins.pins[n].version}`).join(', ')}`
  )
  return { kind: 'pinned', files: files as Record<PinnedName, Extract<PinnedFile, { kind: 'ready' }>> }
}
