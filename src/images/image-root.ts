import { chmodSync, copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { cmd, type Command } from '../exec/command.js'
import { check, type CommandResult } from '../exec/executor.js'
import type { HostContext } from '../host/context.js'
import { asRoot } from '../exec/privilege.js'
import { GUEST_FILES } from './guest-files.js'
import { BUILDER_VERSION, writeManifest, type ImageManifest } from './manifest.js'
import type { ImageRecipe } from './recipe.js'

/**
 * What is done to an image's root filesystem by both ways of making an image: a fresh build from
 * debootstrap, and one derived from another image's finished root.
 */

const MINUTE = 60_000
/** Free room left in the root filesystem for logs, apt state and the probe's files. */
const ROOT_HEADROOM_MB = 512

/** Runs a build's commands as root under the run's signal, and logs each named step with its time. */
export interface BuildSteps {
  step<T>(name: string, body: () => Promise<T>): Promise<T>
  run(command: Command, minutes: number): Promise<CommandResult>
  /** A command inside the image's root, given at `root`. */
  inRoot(root: string, minutes: number, program: string, ...args: string[]): Promise<CommandResult>
  /** Whole seconds since the steps were made: the build's time. */
  seconds(): number
}

export function buildSteps(
  imageName: string,
  expectedSeconds: number | undefined,
  ctx: HostContext
): BuildSteps {
  const started = Date.now()
  // Elapsed over the expected time, never shown as done before the last step is.
  const shareDone = (): string => {
    if (expectedSeconds === undefined || expectedSeconds <= 0) return ''
    const share = Math.min(95, Math.round(((Date.now() - started) / 1000 / expectedSeconds) * 100))
    return `; about ${share}% of the build`
  }
  const run = (command: Command, minutes: number) =>
    check(ctx.exec, asRoot(command), { timeoutMs: minutes * MINUTE, signal: ctx.signal })
  return {
    async step(name, body) {
      const t = Date.now()
      const result = await body()
      ctx.log.info(`  ${imageName}: ${name} (${((Date.now() - t) / 1000).toFixed(0)}s${shareDone()})`)
      return result
    },
    run,
    inRoot: (root, minutes, program, ...args) => run(chrootCommand(root, program, ...args), minutes),
    seconds: () => Math.round((Date.now() - started) / 1000)
  }
}

/**
 * A command run inside the image's root. Its environment is the host's with these on top: a host TMPDIR
 * (a runner's, or a test's) does not exist in the chroot, and maintainer scripts that call mktemp
 * (apparmor's, openssh-server's) fail on it.
 */
export function chrootCommand(root: string, program: string, ...args: string[]): Command {
  return {
    ...cmd('chroot', root, program, ...args),
    env: {
      DEBIAN_FRONTEND: 'noninteractive',
      LC_ALL: 'C',
      PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
      TMPDIR: '/tmp',
      HOME: '/root'
    }
  }
}

/** apt's sources and pins for the recipe, the host's resolver, and the project's files in the guest. */
export function writeGuestFiles(root: string, recipe: ImageRecipe): void {
  writeFileSync(join(root, 'etc/apt/sources.list'), `${recipe.sources.join('\n')}\n`)
  if (recipe.preferences !== undefined) {
    mkdirSync(join(root, 'etc/apt/preferences.d'), { recursive: true })
    writeFileSync(join(root, 'etc/apt/preferences.d/zjm'), recipe.preferences)
  }
  // Debian images ship no resolv.conf in minbase; apt in the chroot resolves through the host's.
  copyFileSync('/etc/resolv.conf', join(root, 'etc/resolv.conf'))
  for (const f of GUEST_FILES) {
    const path = join(root, f.path)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, f.content)
    chmodSync(path, f.mode)
  }
}

/** `apt-get install` of the recipe's suite packages, inside the root: what is missing or older is installed. */
export function installPackages(
  steps: BuildSteps,
  root: string,
  recipe: ImageRecipe
): Promise<CommandResult> {
  return steps.inRoot(
    root,
    30,
    'apt-get',
    'install',
    '-y',
    '-q',
    '--no-install-recommends',
    ...recipe.packages
  )
}

/** The zfs module built for `kernel` in the root, read as the guest's modinfo reads it. */
export async function zfsModuleVersion(steps: BuildSteps, root: string, kernel: string): Promise<string> {
  const openzfs = (await steps.inRoot(root, 1, 'modinfo', '-k', kernel, '-F', 'version', 'zfs')).stdout.trim()
  if (openzfs === '') throw new Error(`the zfs module was not built for ${kernel}`)
  return openzfs
}

/** Installed versions (dpkg) of the recipe's tracked packages and of the kernel's own package. */
export async function installedVersions(
  steps: BuildSteps,
  root: string,
  recipe: ImageRecipe,
  kernel: string
): Promise<Record<string, string>> {
  const tracked = [...recipe.tracked.map(t => t.name), `linux-image-${kernel}`]
  const query = await steps.inRoot(
    root,
    1,
    'dpkg-query',
    '-W',
    '-f',
    '${Package}\\t${Version}\\n',
    ...tracked
  )
  return parseDpkgQuery(query.stdout)
}

/** The kernel the image installed; there must be exactly one. */
export function onlyKernel(root: string): string {
  const kernels = readdirSync(join(root, 'lib/modules'))
  if (kernels.length !== 1)
    throw new Error(`expected one kernel in the image, found: ${kernels.join(', ') || 'none'}`)
  return kernels[0]!
}

/**
 * What the booted image does not need: compilers, headers and DKMS sources (≈180 MB), docs, apt caches.
 * Removed as files, not purged through dpkg: purging dkms or zfs-dkms would run their scripts and delete
 * the very module they built.
 */
const STRIP = [
  'usr/src',
  'var/lib/dkms',
  'usr/lib/gcc',
  'usr/libexec/gcc',
  'usr/share/doc',
  'usr/share/man',
  'usr/share/info',
  'usr/share/locale',
  'var/cache/apt',
  'var/lib/apt/lists',
  'usr/sbin/policy-rc.d'
]

export function stripBuildTools(root: string): void {
  for (const p of STRIP) rmSync(join(root, p), { recursive: true, force: true })
  for (const kbuild of readdirSync(join(root, 'usr/lib')).filter(d => d.startsWith('linux-kbuild-'))) {
    rmSync(join(root, 'usr/lib', kbuild), { recursive: true, force: true })
  }
  for (const dir of readdirSync(join(root, 'lib/modules'))) {
    rmSync(join(root, 'lib/modules', dir, 'build'), { force: true })
    rmSync(join(root, 'lib/modules', dir, 'source'), { force: true })
  }
  mkdirSync(join(root, 'var/lib/apt/lists/partial'), { recursive: true })
  mkdirSync(join(root, 'var/cache/apt/archives/partial'), { recursive: true })
}

export function parseDpkgQuery(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .map(l => l.split('\t'))
      .filter((p): p is [string, string] => p.length === 2 && p[1] !== '')
  )
}

/** `mkfs.ext4 -d`: the root tree as a raw ext4 image with room left for the guest's own writes. */
export async function writeRootImage(steps: BuildSteps, root: string, image: string): Promise<void> {
  const usedMb = Number((await steps.run(cmd('du', '-sm', '--apparent-size', root), 5)).stdout.split('\t')[0])
  await steps.run(cmd('truncate', '-s', `${usedMb + ROOT_HEADROOM_MB}M`, image), 1)
  await steps.run(cmd('mkfs.ext4', '-q', '-F', '-L', 'root', '-d', root, image), 15)
}

/**
 * Runs `body` with the build's own directory under the run's work dir (`build-<image>`, its root tree or
 * mount point inside), in the ledger meanwhile and removed afterwards without crossing into a mount.
 */
export async function withBuildDir<T>(
  image: string,
  ctx: HostContext,
  body: (buildDir: string) => Promise<T>
): Promise<T> {
  const buildDir = join(ctx.workDir, `build-${image}`)
  mkdirSync(buildDir, { recursive: true })
  ctx.ledger.add({ kind: 'dir', path: buildDir })
  try {
    return await body(buildDir)
  } finally {
    await ctx.exec.run(asRoot(cmd('rm', '-rf', '--one-file-system', buildDir)))
    ctx.ledger.remove({ kind: 'dir', path: buildDir })
  }
}

/** What a build request says about the image it makes, for its manifest. */
export interface ImageIdentity {
  readonly image: { readonly name: string }
  readonly key: string
  readonly recipe: ImageRecipe
  readonly mirror: string
}

/** The manifest of a finished build: who it is, when and how long, and what was found inside the root. */
export function writeBuildManifest(
  outDir: string,
  req: ImageIdentity,
  steps: BuildSteps,
  found: Pick<ImageManifest, 'kernel' | 'openzfs' | 'packages' | 'base'>
): ImageManifest {
  return writeManifest(outDir, {
    image: req.image.name,
    key: req.key,
    builderVersion: BUILDER_VERSION,
    builtAt: new Date().toISOString(),
    buildSeconds: steps.seconds(),
    suite: req.recipe.suite,
    mirror: req.mirror,
    ...found
  })
}
