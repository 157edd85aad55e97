import { problem, shown } from './errors.js'
import { bad, ok, type Parsed } from './values.js'

const MAX_TITLE = 100

export function parseTitle(text: string): Parsed<string> {
  if (/[\r\n]/.test(text)) return bad(problem('title', 'must be a single line'))
  if (text.length > MAX_TITLE)
    return bad(problem('title', `is ${text.length} characters; at most ${MAX_TITLE}`))
  return ok(text)
}

/** GitHub's label names: at most 50 characters, no commas (the issues API lists labels comma-separated). */
export function parseLabel(text: string): Parsed<string> {
  if (text.length > 50) return bad(problem('issue-label', `${shown(text)} is longer than 50 characters`))
  if (/[,\r\n]/.test(text))
    return bad(problem('issue-label', `${shown(text)} may not contain commas or line breaks`))
  return ok(text)
}

/**
 * What @actions/artifact accepts in a name, leaving room for the `-shard-i-of-n-attempt-k` suffix
 * (GitHub takes names up to 256 characters).
 */
export function parseArtifactPrefix(text: string): Parsed<string> {
  const input = 'artifact-name'
  if (text.length > 180) return bad(problem(input, `${shown(text)} is longer than 180 characters`))
  if (/["*:<>?|\\/\r\n]/.test(text)) {
    return bad(problem(input, `${shown(text)} may not contain any of " : < > | * ? \\ / or line breaks`))
  }
  return ok(text)
}

/** An http(s) URL of a Debian mirror (what debootstrap and apt take). */
export function parseMirror(text: string): Parsed<string> {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return bad(problem('mirror', `${shown(text)} is not a URL; expected e.g. http://deb.debian.org/debian`))
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return bad(problem('mirror', `${shown(text)} must be an http:// or https:// URL`))
  }
  if (url.search !== '' || url.hash !== '' || /\s/.test(text)) {
    return bad(problem('mirror', `${shown(text)} must be a plain mirror URL (no query, fragment or spaces)`))
  }
  return ok(text.replace(/\/+$/, ''))
}
