import type { Config } from './inputs/config.js'
import { diagnoseMode } from './modes/diagnose-mode.js'
import { doctorMode } from './modes/doctor-mode.js'
import { imagesMode } from './modes/images-mode.js'
import type { ModeDeps, ModeResult } from './modes/mode.js'
import { planMode } from './modes/plan-mode.js'
import { reportMode } from './modes/report-mode.js'
import { runMode } from './modes/run-mode.js'

export type { ModeDeps as PipelineDeps, ModeResult as PipelineResult } from './modes/mode.js'

/**
 * inputs → plan → provision → scenarios → diagnose → results → report → publish, as far as `mode` goes:
 * each mode is a module of src/modes/, the stages are the folders of src/.
 */
export async function runPipeline(config: Config, deps: ModeDeps): Promise<ModeResult> {
  switch (config.mode) {
    case 'plan':
      return planMode(config, deps)
    case 'run':
      return runMode(config, deps, { gate: false })
    case 'all':
      return runMode(config, deps, { gate: true })
    case 'report':
      return reportMode(config, deps)
    case 'images':
      return imagesMode(config, deps)
    case 'diagnose':
      return diagnoseMode(config, deps.outputs, deps.host.log)
    case 'doctor':
      return doctorMode(config, deps.outputs, deps.host)
    default: {
      const never: never = config.mode
      throw new Error(`unknown mode ${String(never)}`)
    }
  }
}
