import { isAbsolute, relative } from 'node:path'
import * as core from '@actions/core'
import type { Outputs } from './outputs.js'

export function actionsOutputs(): Outputs {
  return {
    set: (name, value) => core.setOutput(name, value),
    summary: async markdown => {
      // Outside a runner there is no GITHUB_STEP_SUMMARY; report.md still has the matrix.
      if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown, true).write()
    },
    annotate: a => {
      // GitHub places an annotation by the file's path in the repository, i.e. below the workspace.
      const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd()
      const file = a.file === undefined || !isAbsolute(a.file) ? a.file : relative(workspace, a.file)
      const properties = {
        title: a.title,
        ...(file === undefined ? {} : { file }),
        ...(a.line === undefined ? {} : { startLine: a.line })
      }
      if (a.level === 'error') core.error(a.message, properties)
      else if (a.level === 'warning') core.warning(a.message, properties)
      else core.notice(a.message, properties)
    }
  }
}
