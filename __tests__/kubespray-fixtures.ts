import { chmodSync, cpSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** The kubespray-shaped layouts of `__tests__/fixtures/kubespray-render` (see its README). */
export const RENDER_LAYOUTS = ['v2.21', 'v2.25', 'master', 'fixed-fork'] as const
export type RenderLayout = (typeof RENDER_LAYOUTS)[number]

const FIXTURES = join(import.meta.dirname, 'fixtures', 'kubespray-render')

/** A checkout of `layout` in `dir`: the base tree with the layout's own files over it. */
export function renderFixture(layout: RenderLayout, dir: string): string {
  const root = join(dir, `kubespray-${layout}`)
  cpSync(join(FIXTURES, 'base'), root, { recursive: true })
  cpSync(join(FIXTURES, layout), root, { recursive: true })
  return root
}

/**
 * A `ctr` that answers `ctr oci spec` as containerd's does (a small runtime spec), for renders whose
 * node is this host: point `containerd_bin_dir` at the directory returned.
 */
export function fakeCtrDir(dir: string): string {
  const bin = join(dir, 'fake-bin')
  mkdirSync(bin, { recursive: true })
  const ctr = join(bin, 'ctr')
  writeFileSync(
    ctr,
    `#!/bin/sh\n[ "$1 $2" = "oci spec" ] || exit 2\necho '{"ociVersion":"1.1.0","process":{"args":["sh"],"cwd":"/"}}'\n`
  )
  chmodSync(ctr, 0o755)
  return bin
}
