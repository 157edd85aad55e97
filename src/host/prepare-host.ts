import { execFileSync } from 'node:child_process'
import { statfsSync } from 'node:fs'
import type { RunnerSetup } from '../inputs/config.js'
import type { HostContext } from './context.js'
import { planRunnerSetup, readRunnerFacts, runSetup } from './runner-setup.js'

/** Space a run with a few cold image builds needs: rootfs builds, cached images, VM overlays. */
const NEED_GB = 20

/** Applies `runner-setup`: on GitHub's ubuntu runners (auto) or always, installs and opens what VMs need. */
export async function prepareHost(setup: RunnerSetup, host: HostContext): Promise<void> {
  if (setup === 'never') return
  const stat = statfsSync(host.workDir)
  const facts = readRunnerFacts(
    process.env,
    execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
    Math.floor((stat.bavail * stat.bsize) / 2 ** 30)
  )
  const onRunner = facts.githubActions && facts.runnerOs === 'Linux' && facts.osId === 'ubuntu'
  if (setup === 'auto' && !onRunner) return
  await runSetup(planRunnerSetup(facts, NEED_GB), host.exec, host.log)
}
