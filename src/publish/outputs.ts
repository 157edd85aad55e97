import type { OutputName } from '../inputs/spec.js'

/** Where step outputs and the job summary go: @actions/core in the action, nowhere (files only) in the CLI. */
export interface Outputs {
  set(name: OutputName, value: string): void
  summary(markdown: string): Promise<void>
}

export const noOutputs: Outputs = { set: () => undefined, summary: () => Promise.resolve() }
