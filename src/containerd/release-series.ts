/** A release series (`1.6.20~ds1-1+deb12u3` → 1.6, `2.1.11-1` → 2.1), for comparing versions by series. */
export interface ContainerdSeries {
  readonly major: number
  readonly minor: number
}

/** containerd's (or OpenZFS's) series from its version or Debian package version; undefined when it has none. */
export function containerdSeries(packageVersion: string): ContainerdSeries | undefined {
  const m = /^(?:\d+:)?(\d+)\.(\d+)/.exec(packageVersion)
  return m === null ? undefined : { major: Number(m[1]), minor: Number(m[2]) }
}
