import { parse } from 'smol-toml'
import { errorMessage } from '../text/error-message.js'

/** A TOML document parsed, or why it is not TOML. */
export type TomlReading =
  | { readonly kind: 'toml'; readonly value: Record<string, unknown> }
  | { readonly kind: 'invalid'; readonly reason: string }

export function readToml(text: string): TomlReading {
  try {
    return { kind: 'toml', value: parse(text) }
  } catch (e) {
    return { kind: 'invalid', reason: errorMessage(e).split('\n')[0]! }
  }
}

/** The value at a path of tables and a key (`['plugins', 'io.containerd.grpc.v1.cri', 'containerd']`). */
export function valueAt(doc: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = doc
  for (const part of path) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

/** `plugins."io.containerd.cri.v1.runtime"` → `['plugins', 'io.containerd.cri.v1.runtime']`. */
export function tablePath(header: string): string[] {
  return [...header.matchAll(/"([^"]*)"|([^."\s]+)/g)].map(m => m[1] ?? m[2]!)
}

const HEADER = /^(\s*)\[\s*([^\]]+?)\s*\]\s*(#.*)?$/

/**
 * Sets `key = value` (value as TOML, e.g. `true`) in the table whose header is `table`, editing the
 * text in place so the rest of the file stays as rendered: the key's line is replaced if the table has
 * it, else a line is added under the header, else the table is appended. The caller checks the result
 * by parsing it.
 */
export function setKey(text: string, table: string, key: string, value: string): string {
  const lines = text.split('\n')
  const target = tablePath(table).join('\u0000')
  const start = lines.findIndex(l => {
    const m = HEADER.exec(l)
    return m !== null && tablePath(m[2]!).join('\u0000') === target
  })
  if (start === -1) {
    const tail = text.endsWith('\n') ? '' : '\n'
    return `${text}${tail}\n[${table}]\n  ${key} = ${value}\n`
  }
  const indent = `${HEADER.exec(lines[start]!)![1]}  `
  let end = start + 1
  while (end < lines.length && !HEADER.test(lines[end]!)) end++
  const keyLine = new RegExp(`^(\\s*)${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*=`)
  for (let i = start + 1; i < end; i++) {
    const m = keyLine.exec(lines[i]!)
    if (m !== null) {
      lines[i] = `${m[1]}${key} = ${value}`
      return lines.join('\n')
    }
  }
  lines.splice(start + 1, 0, `${indent}${key} = ${value}`)
  return lines.join('\n')
}
