import { copyFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { cmd, type Command } from '../exec/command.js'
import type { HostContext } from '../host/context.js'
import type { ImageSpec } from './catalogue.js'
import { withChrootMounts } from './chroot.js'
import { ENABLED_UNITS, MASKED_UNITS } from './guest-files.js'
import {
  buildSteps,
  installedVersions,
  installPackages,
  onlyKernel,
  stripBuildTools,
  withBuildDir,
  writeBuildManifest,
  writeGuestFiles,
  writeRootImage,
  zfsModuleVersion
} from './image-root.js'
import { ARTIFACT_FILES, type ImageManifest } from './manifest.js'
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

/**
 * Builds a node image from Debian's mirror: debootstrap, the suite's cloud kernel, containerd, runc, sshd,
 * a registry, then OpenZFS compiled by DKMS for that kernel; strips the compilers and sources; writes
 * kernel, initrd, an ext4 root image and a manifest of what was really installed.
 */
export async function buildImage(req: BuildRequest, ctx: HostContext): Promise<ImageManifest> {
  return withBuildDir(req.image.name, ctx, async buildDir => {
    const root = join(buildDir, 'rootfs')
    const steps = buildSteps(req.image.name, req.expectedSeconds, ctx)
    const inRoot = (minutes: number, program: string, ...args: string[]) =>
      steps.inRoot(root, minutes, program, ...args)

    mkdirSync(req.debCache, { recursive: true })
    await steps.step('debootstrap', () => steps.run(debootstrapCommand(req, root), 30))
    writeGuestFiles(root, req.recipe)
    const manifest = await withChrootMounts(root, ctx, async () => {
      await steps.step('apt update', () => inRoot(10, 'apt-get', '-q', 'update'))
      await steps.step('kernel, containerd, runc, sshd, registry, kubespray prerequisites', () =>
        installPackages(steps, root, req.recipe)
      )
      const kernel = onlyKernel(root)
      await steps.step(`OpenZFS from ${req.recipe.zfs.release} (DKMS build for ${kernel})`, async () => {
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
      const openzfs = await zfsModuleVersion(steps, root, kernel)
      await steps.step('initramfs', () => inRoot(10, 'update-initramfs', '-u', '-k', kernel))
      await inRoot(1, 'systemctl', 'enable', ...ENABLED_UNITS)
      await inRoot(1, 'systemctl', 'mask', ...MASKED_UNITS)
      return { kernel, openzfs, packages: await installedVersions(steps, root, req.recipe, kernel) }
    })
    stripBuildTools(root)
    const outDir = req.outDir
    mkdirSync(outDir, { recursive: true })
    copyFileSync(join(root, 'boot', `vmlinuz-${manifest.kernel}`), join(outDir, ARTIFACT_FILES.kernel))
    copyFileSync(join(root, 'boot', `initrd.img-${manifest.kernel}`), join(outDir, ARTIFACT_FILES.initrd))
    await steps.step('root filesystem image', () =>
      writeRootImage(steps, root, join(outDir, ARTIFACT_FILES.root))
    )
    return writeBuildManifest(outDir, req, steps, manifest)
  })
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
