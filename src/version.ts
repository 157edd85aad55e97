/** Kept in step with package.json by a test. */
export const GENERATOR = { name: 'zfs-join-matrix', version: '0.1.0' } as const
