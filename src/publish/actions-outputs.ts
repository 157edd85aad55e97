import * as core from '@actions/core'
import type { Outputs } from './outputs.js'

export function actionsOutputs(): Outputs {
  return {
    set: (name, value) => core.setOutput(name, value),
    summary: async markdown => {
      // Outside a runner there is no GITHUB_STEP_SUMMARY; report.md still has the matrix.
      if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown, true).write()
    }
  }
}
