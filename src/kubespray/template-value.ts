/**
 * The value of a kubespray setting as written in a template or a defaults file: a literal, one
 * variable (with a `default()` fallback), or anything else, which the lint tier reports as unknown
 * rather than guessing (kubespray's values are Jinja; evaluating arbitrary Jinja is Ansible's job).
 */
export type TemplateValue =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'variable'; readonly name: string; readonly fallback?: string }
  | { readonly kind: 'other'; readonly text: string }

const ONE_VARIABLE = /^\{\{-?\s*([A-Za-z_]\w*)\s*(?:\|\s*default\(\s*(['"])([^'"]*)\2\s*\)\s*)?-?\}\}$/

/** Parses a quoted or bare value (`"{{ containerd_snapshotter | default('overlayfs') }}"`, `"native"`). */
export function parseTemplateValue(raw: string): TemplateValue {
  const text = unquote(raw.trim())
  const one = ONE_VARIABLE.exec(text)
  if (one !== null) {
    const [, name, , fallback] = one as unknown as [string, string, string?, string?]
    return fallback === undefined ? { kind: 'variable', name } : { kind: 'variable', name, fallback }
  }
  if (!/\{\{|\{%/.test(text)) return { kind: 'literal', value: text }
  return { kind: 'other', text }
}

/** Looks a variable up in the cell's vars, then in kubespray's defaults; undefined when unset. */
export type VariableLookup = (name: string) => string | undefined

/**
 * The value's string, or undefined when it cannot be known statically. A variable resolves to its
 * lookup, else its `default()`; a variable that is neither set nor defaulted is undefined, as in Jinja.
 */
export function evaluate(value: TemplateValue, lookup: VariableLookup): string | undefined {
  switch (value.kind) {
    case 'literal':
      return value.value
    case 'variable':
      return lookup(value.name) ?? value.fallback
    case 'other':
      return undefined
    default: {
      const never: never = value
      throw new Error(`unknown value ${JSON.stringify(never)}`)
    }
  }
}

/** How the value reads in a message: `"native"`, `{{ nerdctl_snapshotter | default('overlayfs') }}`. */
export function describeValue(value: TemplateValue): string {
  switch (value.kind) {
    case 'literal':
      return `"${value.value}"`
    case 'variable':
      return value.fallback === undefined
        ? `{{ ${value.name} }}`
        : `{{ ${value.name} | default('${value.fallback}') }}`
    case 'other':
      return value.text
    default: {
      const never: never = value
      throw new Error(`unknown value ${JSON.stringify(never)}`)
    }
  }
}

function unquote(text: string): string {
  const quoted = /^(['"])(.*)\1$/.exec(text)
  return quoted === null ? text : quoted[2]!
}
