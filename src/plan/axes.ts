/**
 * The values each axis of the matrix can take. Declared once: inputs validate against these,
 * the plan expands them, the report orders its columns by them.
 */
export const SNAPSHOTTERS = ['overlayfs', 'zfs', 'native'] as const
export type Snapshotter = (typeof SNAPSHOTTERS)[number]

/** The image tool kubespray pulls with (`image_command_tool`, or a ctr pull command override). */
export const TOOLS = ['nerdctl', 'crictl', 'ctr'] as const
export type Tool = (typeof TOOLS)[number]

/**
 * How the node is configured around the snapshotter. `kubespray` is what kubespray renders today:
 * `containerd_snapshotter` reaches only the CRI, nerdctl keeps `nerdctl_snapshotter`'s default
 * (overlayfs) and ctr pulls without `--snapshotter`. `fixed` gives every tool the cell's snapshotter
 * explicitly (the known fix), so the matrix shows the fix next to the failure.
 */
export const VARIANTS = ['kubespray', 'fixed'] as const
export type Variant = (typeof VARIANTS)[number]

/** Tiers from shallow to deep; a cell's result is decided by the deepest tier that really ran. */
export const TIERS = ['lint', 'probe', 'join', 'rejoin'] as const
export type Tier = (typeof TIERS)[number]

export function tierIndex(tier: Tier): number {
  return TIERS.indexOf(tier)
}

export function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value)
}
