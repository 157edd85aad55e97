import { chmodSync, copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { cmd, type Command } from '../exec/command.js'
import { check } from '../exec/executor.js'
import type { HostContext } from '../host/context.js'
import { asRoot } from '../host/privilege.js'
import type { ImageSpec } from './catalogue.js'
import { withChrootMounts } from './chroot.js'
import { ENABLED_UNITS, GUEST_FILES, MASKED_UNITS } from './guest-files.js'
import { ARTIFACT_FILES, BUILDER_VERSION, type ImageManifest } from './manifest.js'
import type { ImageRecipe } from './recipe.js'

export interface BuildRequest {
  readonly image: ImageSpec
  readonly recipe: ImageRecipe
  readonly mirror: string
  readonly key: string
  /** Where the artifacts go (created; must not exist). */
  readonly outDir: string
  /** Keeps downloaded .debs between builds of the same suite. */
  readonly debCache: string
  /** How long the whole build should take, for the share done on each step's line. */
  readonly expectedSeconds?: number
}

const MINUTE = 60_000
/** Free room left in the root filesystem for logs, apt state and the probe's files. */
const ROOT_HEADROOM_MB = 512

/**
 * Builds a node image from Debian's mirror: debootstrap, the suite's cloud kernel, containerd, runc, sshd,
 * a registry, then OpenZFS compiled by DKMS for that kernel; strips the compilers and sources; writes
 * kernel, initrd, an ext4 root image and a manifest of what was really installed.
 */
export async function buildImage(req: BuildRequest, ctx: HostContext): Promise<ImageManifest> {
  const started = Date.now()
  const buildDir = join(ctx.workDir, `build-${req.image.name}`)
  const root = join(buildDir, 'rootfs')
  mkdirSync(buildDir, { recursive: true })
  ctx.ledger.add({ kind: 'dir', path: buildDir })
  const step = async <T>(name: string, body: () => Promise<T>): Promise<T> => {
    const t = Date.now()
    const result = await body()
    ctx.log.info(`  ${req.image.name}: ${name} (${((Date.now() - t) / 1000).toFixed(0)}s${shareDone()})`)
    return result
  }
  // Elapsed over the expected time, never shown as done before the last step is.
  const shareDone = (): string => {
    if (req.expectedSeconds === undefined || req.expectedSeconds <= 0) return ''
    const share = Math.min(95, Math.round(((Date.now() - started) / 1000 / req.expectedSeconds) * 100))
    return `; about ${share}% of the build`
  }
  const run = (command: Command, minutes: number) =>
    check(ctx.exec, asRoot(command), { timeoutMs: minutes * MINUTE, signal: ctx.signal })
  const inRoot = (minutes: number, program: string, ...args: string[]) =>
    run(chrootCommand(root, program, ...args), minutes)

  try {
    mkdirSync(req.debCache, { recursive: true })
    await step('debootstrap', () => run(debootstrapCommand(req, root), 30))
    writeGuestFiles(root, req.recipe)
    const manifest = await withChrootMounts(root, ctx, async () => {
      await step('apt update', () => inRoot(10, 'apt-get', '-q', 'update'))
      await step('kernel, containerd, runc, sshd, registry, kubespray prerequisites', () =>
        inRoot(30, 'apt-get', 'install', '-y', '-q', '--no-install-recommends', ...req.recipe.packages)
      )
      const kernel = onlyKernel(root)
      await step(`OpenZFS from ${req.recipe.zfs.release} (DKMS build for ${kernel})`, async () => {
        await inRoot(
          45,
          'apt-get',
          'install',
          '-y',
          '-q',
          '--no-install-recommends',
          '-t',
          req.recipe.zfs.release,
          ...req.recipe.zfs.packages
        )
        // zfs-dkms builds for the kernels it finds; make sure the image's kernel is one of them.
        await inRoot(45, 'dkms', 'autoinstall', '-k', kernel)
      })
      const openzfs = (await inRoot(1, 'modinfo', '-k', kernel, '-F', 'version', 'zfs')).stdout.trim()
      if (openzfs === '') throw new Error(`the zfs module was not built for ${kernel}`)
      await step('initramfs', () => inRoot(10, 'update-initramfs', '-u', '-k', kernel))
      await inRoot(1, 'systemctl', 'enable', ...ENABLED_UNITS)
      await inRoot(1, 'systemctl', 'mask', ...MASKED_UNITS)
      const packages = parseDpkgQuery(
        (
          await inRoot(
            1,
            'dpkg-query',
            '-W',
            '-f',
            '${Package}\\t${Version}\\n',
            ...req.recipe.tracked.map(t => t.name),
            `linux-image-${kernel}`
          )
        ).stdout
      )
      return { kernel, openzfs, packages }
    })
    stripBuildTools(root)
    const outDir = req.outDir
    mkdirSync(outDir, { recursive: true })
    copyFileSync(join(root, 'boot', `vmlinuz-${manifest.kernel}`), join(outDir, ARTIFACT_FILES.kernel))
    copyFileSync(join(root, 'boot', `initrd.img-${manifest.kernel}`), join(outDir, ARTIFACT_FILES.initrd))
    await step('root filesystem image', async () => {
      const usedMb = Number((await run(cmd('du', '-sm', '--apparent-size', root), 5)).stdout.split('\t')[0])
      const image = join(outDir, ARTIFACT_FILES.root)
      await run(cmd('truncate', '-s', `${usedMb + ROOT_HEADROOM_MB}M`, image), 1)
      await run(cmd('mkfs.ext4', '-q', '-F', '-L', 'root', '-d', root, image), 15)
    })
    const full: ImageManifest = {
      image: req.image.name,
      key: req.key,
      builderVersion: BUILDER_VERSION,
      builtAt: new Date().toISOString(),
      buildSeconds: Math.round((Date.now() - started) / 1000),
      suite: req.recipe.suite,
      mirror: req.mirror,
      ...manifest
    }
    writeFileSync(join(outDir, ARTIFACT_FILES.manifest), `${JSON.stringify(full, null, 2)}\n`)
    return full
  } finally {
    await ctx.exec.run(asRoot(cmd('rm', '-rf', '--one-file-system', buildDir)))
    ctx.ledger.remove({ kind: 'dir', path: buildDir })
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

export function debootstrapCommand(req: BuildRequest, root: string): Command {
  return cmd(
    'debootstrap',
    '--variant=minbase',
    '--components=main,contrib',
    `--include=${req.recipe.bootstrapPackages.join(',')}`,
    `--cache-dir=${req.debCache}`,
    req.recipe.suite,
    root,
    req.mirror
  )
}

function writeGuestFiles(root: string, recipe: ImageRecipe): void {
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

/** The kernel the image installed; there must be exactly one. */
function onlyKernel(root: string): string {
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

function stripBuildTools(root: string): void {
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
