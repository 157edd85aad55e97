import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from '../../inputs/config.js'
import type { Checkout } from '../../kubespray/checkout.js'
import type { ImageSpec } from '../../images/catalogue.js'
import { cellVars, checkoutPull, groupVars } from '../../kubespray/cell-vars.js'
import type { TreeReading } from '../../kubespray/kubespray-tree.js'
import type { Log } from '../../log/log.js'
import type { Finding } from '../../results/cell-result.js'
import type { Opened, Scenario } from '../scenario.js'
import { lintCell } from './lint-cell.js'
import { treeFindings } from './tree-findings.js'

export interface LintEnv {
  readonly config: Config
  readonly log: Log
  /** The kubespray tree to read (the checkout, or `kubespray-ref` of it), resolved once per run. */
  readonly kubespray: () => Promise<Checkout>
}

/**
 * The lint tier: reads the kubespray checkout once per run (no VM, no Ansible) and predicts every cell
 * from it. Each cell's lint log says which snapshotter each tool will use and from which line.
 */
export function lintScenario(env: LintEnv): Scenario {
  let read: { reading: TreeReading; findings: readonly Finding[] } | undefined
  const tree = (checkout: Extract<Checkout, { kind: 'ready' }>) => {
    if (read === undefined) {
      const reading = checkout.reading()
      const findings = reading.kind === 'tree' ? treeFindings(reading.tree) : []
      if (reading.kind === 'tree') {
        env.log.info(
          `lint: kubespray ${reading.tree.release ?? '(unversioned)'} at ${checkout.description}: ${findings.length} finding(s)`
        )
      }
      read = { reading, findings }
    }
    return read
  }
  return {
    tier: 'lint',
    async open(image: ImageSpec): Promise<Opened> {
      const checkout = await env.kubespray()
      if (checkout.kind !== 'ready') return { kind: 'unavailable', reason: checkout.reason }
      const { reading, findings } = tree(checkout)
      if (reading.kind === 'not-kubespray') return { kind: 'unavailable', reason: reading.reason }
      const pull = checkoutPull(reading.tree)
      return {
        kind: 'ready',
        session: {
          run(cell, attempt) {
            const vars = groupVars(env.config.kubesprayVars, cellVars(cell, pull, env.config.kubesprayVars))
            const linted = lintCell(reading.tree, findings, cell, image, vars)
            const log = join(attempt.logDir, 'lint.txt')
            writeFileSync(log, linted.report)
            return Promise.resolve({
              verdict: linted.verdict,
              versions: {},
              logs: [log],
              findings: linted.findings
            })
          },
          close: () => Promise.resolve()
        }
      }
    }
  }
}
