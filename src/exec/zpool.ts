import { cmd, type Command } from './command.js'

/** The host's zpool command lines, for every module that runs them (the disk store and the ledger). */
export const zpoolCommands = {
  /** As openzfs's own CI does it on runners: 4K sectors, lz4, no sync writes (the data is disposable). */
  create: (pool: string, file: string): Command =>
    cmd(
      'zpool',
      'create',
      '-f',
      '-o',
      'ashift=12',
      '-O',
      'compression=lz4',
      '-O',
      'sync=disabled',
      '-m',
      'none',
      pool,
      file
    ),
  /** Exits 0 when the pool is imported. */
  exists: (pool: string): Command => cmd('zpool', 'list', '-H', '-o', 'name', pool),
  destroy: (pool: string): Command => cmd('zpool', 'destroy', '-f', pool)
}
