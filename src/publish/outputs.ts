import type { OutputName } from '../inputs/spec.js'

/** Where step outputs and the job summary go: @actions/core in the action, nowhere (files only) in the CLI. */
/**
 * An annotation, as workflow commands make them (not the check run's API): on a line of a file, or on
 * the step when it is about something outside the repository (a node doctor inspected).
 */
export interface Annotation {
  readonly level: 'error' | 'warning' | 'notice'
  readonly title: string
  readonly message: string
  /** Absolute, or relative to the workspace. */
  readonly file?: string
  readonly line?: number
}

export interface Outputs {
  set(name: OutputName, value: string): void
  summary(markdown: string): Promise<void>
  /** Where annotations cannot be shown (the CLI) they are left out: the printed text has them. */
  annotate?(annotation: Annotation): void
}

export const noOutputs: Outputs = { set: () => undefined, summary: () => Promise.resolve() }
