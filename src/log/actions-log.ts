import * as core from '@actions/core'
import type { Log } from './log.js'

export function actionsLog(): Log {
  return {
    info: m => core.info(m),
    warning: m => core.warning(m),
    error: m => core.error(m),
    group: (title, body) => core.group(title, body)
  }
}
