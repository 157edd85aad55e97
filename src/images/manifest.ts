import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Bumped whenever the builder's output changes for the same package versions: it is part of the cache key. */
export const BUILDER_VERSION = 1

/** What a built image holds, recorded from inside the image at build time (written as manifest.json). */
export interface ImageManifest {
  readonly image: string
  readonly key: string
  readonly builderVersion: number
  readonly builtAt: string
  readonly buildSeconds: number
  readonly suite: string
  readonly mirror: string
  /** `uname -r` of the image's kernel, e.g. `6.1.0-41-cloud-amd64`. */
  readonly kernel: string
  /** The zfs module's version as DKMS built it (`modinfo -F version zfs`). */
  readonly openzfs: string
  /** Installed versions (dpkg) of the packages that matter: kernel, zfs, containerd, runc, … */
  readonly packages: Readonly<Record<string, string>>
  /** The image this one was made from (its root, kernel and zfs module), when it was not built afresh. */
  readonly base?: { readonly image: string; readonly key: string }
}

/** A built image on disk. */
export interface ImageArtifacts {
  readonly dir: string
  readonly kernel: string
  readonly initrd: string
  /** Raw ext4 root filesystem; VMs never write to it (they get an overlay or a clone). */
  readonly root: string
  readonly manifest: ImageManifest
}

export const ARTIFACT_FILES = {
  kernel: 'vmlinuz',
  initrd: 'initrd.img',
  root: 'root.img',
  manifest: 'manifest.json'
} as const

export function readArtifacts(dir: string): ImageArtifacts {
  const manifest = JSON.parse(readFileSync(join(dir, ARTIFACT_FILES.manifest), 'utf8')) as ImageManifest
  return {
    dir,
    kernel: join(dir, ARTIFACT_FILES.kernel),
    initrd: join(dir, ARTIFACT_FILES.initrd),
    root: join(dir, ARTIFACT_FILES.root),
    manifest
  }
}

/** Writes manifest.json into `dir`, last of a build's files: a directory without one is not an image. */
export function writeManifest(dir: string, manifest: ImageManifest): ImageManifest {
  writeFileSync(join(dir, ARTIFACT_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`)
  return manifest
}
