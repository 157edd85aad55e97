import { join } from 'node:path'
import type { HostContext } from '../host/context.js'
import type { RemoteCache } from '../host/remote-cache.js'
import type { Config } from '../inputs/config.js'
import { provideAnsible, type AnsibleAvailability } from '../kubespray/ansible.js'

/** The run's Ansible for a checkout: the same one for every tier that needs it (probe's render, join). */
export type RunAnsible = (
  kubespray: string,
  workDir: string,
  signal: AbortSignal
) => Promise<AnsibleAvailability>

/**
 * One Ansible for the run, made on first use: a virtualenv of the checkout's requirements.txt is
 * installed once, whichever tier needs it first.
 */
export function ansibleForRun(env: {
  readonly config: Config
  readonly host: HostContext
  readonly onRunner: boolean
  readonly remoteCache: RemoteCache | undefined
}): RunAnsible {
  let ansible: Promise<AnsibleAvailability> | undefined
  return (kubespray, workDir, signal) =>
    (ansible ??= provideAnsible({
      source: env.config.ansible,
      kubespray,
      venvDir: join(workDir, 'ansible-venv'),
      exec: env.host.exec,
      signal,
      onRunner: env.onRunner,
      wheelCache: { dir: join(env.config.imageCache, 'ansible-wheels'), remote: env.remoteCache }
    }).then(a => {
      if (a.kind === 'ready') env.host.log.info(`ansible: ${a.tools.description}`)
      return a
    }))
}
