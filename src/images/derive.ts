import { copyFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { mountPoints, release, type Resource } from '../cleanup/ledger.js'
import { cmd } from '../exec/command.js'
import type { HostContext } from '../host/context.js'
import { asRoot } from '../exec/privilege.js'
import type { ImageSpec } from './catalogue.js'
import { withChrootMounts } from './chroot.js'
import { MASKED_UNITS } from './guest-files.js'
import {
  buildSteps,
  installedVersions,
  installPackages,
  onlyKernel,
  stripBuildTools,
  withBuildDir,
  writeBuildManifest,
  writeGuestFiles,
  zfsModuleVersion
} from './image-root.js'
import { ARTIFACT_FILES, type ImageArtifacts, type ImageManifest } from './manifest.js'
import type { ImageRecipe } from './recipe.js'

export interface DeriveRequest {
  readonly image: ImageSpec
  readonly recipe: ImageRecipe
  readonly mirror: string
  readonly key: string
  /** The finished image whose root, kernel and zfs module this one starts from. */
  readonly base: ImageArtifacts
  /** Where the artifacts go (created; must not exist). */
  readonly outDir: string
  readonly expectedSeconds?: number
}

/**
 * Room added to the copied root before the install: apt's indexes of both releases and the new packages
 * pass through it, and the image keeps the headroom a fresh build leaves.
 */
const GROW_MB = 256

/**
 * Makes an image from another image of the same suite, kernel and OpenZFS: a copy of its root filesystem,
 * loop-mounted, given this recipe's apt sources and pins, and `apt-get install` of this recipe's
 * packages, which changes only what differs (containerd from another release). The DKMS compile of the
 * zfs module, three quarters of a fresh build, is not done a second time for the same kernel and source.
 */
export async function deriveImage(req: DeriveRequest, ctx: HostContext): Promise<ImageManifest> {
  const base = req.base.manifest
  if (base.suite !== req.recipe.suite) {
    throw new Error(
      `${req.image.name} cannot be made from ${base.image}: ${base.suite} is not ${req.recipe.suite}`
    )
  }
  return withBuildDir(req.image.name, ctx, async buildDir => {
    const root = join(buildDir, 'rootfs')
    mkdirSync(root, { recursive: true })
    mkdirSync(req.outDir, { recursive: true })
    const image = join(req.outDir, ARTIFACT_FILES.root)
    const steps = buildSteps(req.image.name, req.expectedSeconds, ctx)
    await steps.step(`root filesystem of ${base.image} ${base.key}, grown by ${GROW_MB} MB`, async () => {
      await steps.run(cmd('cp', '--sparse=always', req.base.root, image), 5)
      await steps.run(cmd('truncate', '-s', `+${GROW_MB}M`, image), 1)
      await steps.run(cmd('e2fsck', '-f', '-y', image), 5)
      await steps.run(cmd('resize2fs', image), 5)
    })
    const mount: Resource = { kind: 'mount', path: root }
    ctx.ledger.add(mount)
    let found: Pick<ImageManifest, 'kernel' | 'openzfs' | 'packages'>
    try {
      await steps.run(cmd('mount', '-o', 'loop', image, root), 1)
      writeGuestFiles(root, req.recipe)
      found = await withChrootMounts(root, ctx, async () => {
        await steps.step('apt update', () => steps.inRoot(root, 10, 'apt-get', '-q', 'update'))
        await steps.step(`packages that differ from ${base.image}`, () =>
          installPackages(steps, root, req.recipe)
        )
        const kernel = onlyKernel(root)
        if (kernel !== base.kernel)
          throw new Error(`the copy of ${base.image} holds kernel ${kernel}, not ${base.kernel}`)
        const openzfs = await zfsModuleVersion(steps, root, kernel)
        // A package's new unit must not start containerd before the probe has made its datasets.
        await steps.inRoot(root, 1, 'systemctl', 'mask', ...MASKED_UNITS)
        return { kernel, openzfs, packages: await installedVersions(steps, root, req.recipe, kernel) }
      })
      stripBuildTools(root)
    } finally {
      await unmount(root, mount, ctx)
    }
    copyFileSync(req.base.kernel, join(req.outDir, ARTIFACT_FILES.kernel))
    copyFileSync(req.base.initrd, join(req.outDir, ARTIFACT_FILES.initrd))
    return writeBuildManifest(req.outDir, req, steps, {
      ...found,
      base: { image: base.image, key: base.key }
    })
  })
}

/**
 * A plain umount, which writes the filesystem out before the image is used; the ledger's lazy one only
 * when that fails with the root still mounted (a process still inside), and the build fails then.
 */
async function unmount(root: string, mount: Resource, ctx: HostContext): Promise<void> {
  const plain = await ctx.exec.run(asRoot(cmd('umount', root)))
  if (plain.exitCode !== 0 && mountPoints().includes(root)) {
    release(mount)
    ctx.ledger.remove(mount)
    throw new Error(`umount ${root}: ${plain.stderr.trim()}`)
  }
  ctx.ledger.remove(mount)
}
