/** One bad input: which, what was given, what is allowed. */
export interface InputProblem {
  readonly input: string
  readonly message: string
}

export function problem(input: string, message: string): InputProblem {
  return { input, message }
}

/** Every problem found in one pass, so the user fixes them all at once. */
export class InputErrors extends Error {
  constructor(readonly problems: readonly InputProblem[]) {
    super(
      `${problems.length} invalid input${problems.length === 1 ? '' : 's'}:\n` +
        problems.map(p => `  ${formatProblem(p)}`).join('\n')
    )
    this.name = 'InputErrors'
  }
}

export function formatProblem(p: InputProblem): string {
  return `${p.input}: ${p.message}`
}

/** Quotes a user's value for an error message, cut short so a pasted blob does not flood the log. */
export function shown(value: string): string {
  const cut = value.length > 80 ? `${value.slice(0, 77)}...` : value
  return JSON.stringify(cut)
}
