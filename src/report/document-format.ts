/** The forms diagnose and doctor print their findings in: for a terminal, for scripts, for GitHub. */
export const DOCUMENT_FORMATS = ['text', 'json', 'markdown'] as const
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number]

/** One document in the form asked for; JSON is pretty-printed with a final line break. */
export function renderAs(
  format: DocumentFormat,
  forms: { readonly text: () => string; readonly json: () => unknown; readonly markdown: () => string }
): string {
  switch (format) {
    case 'text':
      return forms.text()
    case 'json':
      return `${JSON.stringify(forms.json(), null, 2)}\n`
    case 'markdown':
      return forms.markdown()
    default: {
      const never: never = format
      throw new Error(`unknown format ${String(never)}`)
    }
  }
}
