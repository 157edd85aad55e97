/**
 * Making untrusted text (log excerpts, guest output, image names) safe to embed in Markdown and
 * XML. Every helper replaces every occurrence: a `replace('|', '\\|')` that only escapes the first
 * pipe is how a log line breaks a table.
 */

/** Characters that can start Markdown or HTML markup somewhere in GitHub Flavored Markdown. */
const MARKDOWN_SIGNIFICANT = /[\\`*_{}[\]<>()#+!|~&]/g

/** Line breaks, which would let text start a new block (a list, a heading, a table row). */
const LINE_BREAKS = /\r\n|[\r\n\u2028\u2029]/g

const BACKTICK_RUNS = /`+/g

/**
 * Escapes `text` for use inside a Markdown paragraph, table cell or inline HTML element such as
 * `<summary>`, and folds line breaks into spaces so the text stays inline.
 *
 * Numeric character references are used rather than backslashes because they mean the same in every
 * context we write: GFM splits table rows before decoding them (so `&#124;` never ends a cell),
 * CommonMark never treats them as markup, and inside raw HTML the browser decodes them, where a
 * backslash would show literally.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(LINE_BREAKS, ' ')
    .replace(MARKDOWN_SIGNIFICANT, c => `&#${c.charCodeAt(0)};`)
    .replace(MENTION, `$1@${WORD_JOINER}`)
    .replace(ISSUE_REFERENCE, `&#35;${WORD_JOINER}`)
}

/**
 * GitHub links `@name` (notifying that user or team) and `#123` (cross-referencing that issue) in
 * rendered text, character references decoded: a kubelet message must not ping anyone. An invisible
 * word joiner after the sigil breaks the link and leaves the text as it reads.
 */
const WORD_JOINER = '\u2060'
const MENTION = /(^|[^A-Za-z0-9_`])@(?=[A-Za-z0-9])/g
const ISSUE_REFERENCE = /&#35;(?=\d)/g

/**
 * A fenced code block showing `text` verbatim. The fence is longer than the longest backtick run in
 * the text (at least three), so no line of the text can close it.
 */
export function codeBlock(text: string): string {
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(text) + 1))
  const body = text.endsWith('\n') ? text : `${text}\n`
  return `${fence}\n${body}${fence}`
}

/**
 * An inline code span showing `text` verbatim (line breaks folded into spaces). Not for table cells:
 * GFM still splits a row on a `|` inside a code span.
 */
export function codeSpan(text: string): string {
  const flat = text.replace(LINE_BREAKS, ' ')
  if (flat === '') return ''
  const fence = '`'.repeat(longestBacktickRun(flat) + 1)
  // CommonMark strips one space from each side when both are present, so padding both sides keeps
  // a leading or trailing backtick (or space) of the text from merging with the fence.
  const pad = /^[` ]|[` ]$/.test(flat) ? ' ' : ''
  return `${fence}${pad}${flat}${pad}${fence}`
}

const XML_SPECIAL: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;'
}

/** Everything outside XML 1.0's `Char` production; escaping cannot make these legal, only removing them. */
const XML_ILLEGAL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

/**
 * Escapes `text` for XML 1.0 element content and attribute values (either quote), and removes the
 * characters XML 1.0 does not allow at all (control characters from serial consoles, lone
 * surrogates), which would make JUnit consumers reject the whole file.
 */
export function escapeXml(text: string): string {
  return text.replace(XML_ILLEGAL, '').replace(/[&<>"']/g, c => XML_SPECIAL[c] ?? c)
}

/**
 * `text` cut to at most `maxChars` UTF-16 units, ending in `…` when it was cut. Cut before escaping,
 * so an escape sequence is never split. Never splits a surrogate pair.
 */
export function shorten(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text
  if (maxChars < 1) return ''
  let cut = text.slice(0, maxChars - 1)
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1)
  return `${cut}…`
}

function longestBacktickRun(text: string): number {
  let longest = 0
  for (const run of text.matchAll(BACKTICK_RUNS)) longest = Math.max(longest, run[0].length)
  return longest
}

/** Control characters from a log or a node must not move a terminal's cursor or colour it. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f\u009b]/g, '?')
}
