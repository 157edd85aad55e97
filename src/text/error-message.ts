/** What was thrown, as text: an Error's message, or anything else as a string. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
