import { describe, it, expect } from '@jest/globals'
import { codeBlock, codeSpan, escapeMarkdown, escapeXml, shorten } from '../../src/report/escape.js'

const SIGNIFICANT = [
  '\\',
  '`',
  '*',
  '_',
  '{',
  '}',
  '[',
  ']',
  '<',
  '>',
  '(',
  ')',
  '#',
  '+',
  '!',
  '|',
  '~',
  '&'
]

/** What a Markdown renderer shows for the escaped text: numeric references decoded. */
function decode(markdown: string): string {
  return markdown.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
}

describe('escapeMarkdown', () => {
  it('escapes every pipe, not only the first', () => {
    const out = escapeMarkdown('a | b | c || d')
    expect(out).not.toContain('|')
    expect(out.match(/&#124;/g)).toHaveLength(4)
    expect(decode(out)).toBe('a | b | c || d')
  })

  it.each(SIGNIFICANT)('leaves no raw %s, however often it occurs', c => {
    const text = `x${c}${c}y${c}z`
    const out = escapeMarkdown(text)
    expect(out.replace(/&#\d+;/g, '')).toBe('xyz')
    expect(decode(out)).toBe(text)
  })

  it('turns an HTML injection into text', () => {
    const out = escapeMarkdown('<script>alert("x")</script><img src=x onerror=alert(1)>')
    expect(out).not.toMatch(/[<>]/)
    expect(decode(out)).toBe('<script>alert("x")</script><img src=x onerror=alert(1)>')
  })

  it('keeps an existing entity literal instead of letting it decode', () => {
    expect(decode(escapeMarkdown('&lt;b&gt;'))).toBe('&lt;b&gt;')
  })

  it('folds line breaks so the text cannot start a list, heading or table row', () => {
    expect(escapeMarkdown('one\n- two\r\n| three\rfour')).not.toMatch(/[\r\n]/)
  })

  it('leaves ordinary version and image text alone', () => {
    expect(escapeMarkdown('debian-12 kernel 6.1.0-50 · OpenZFS 2.1.11')).toBe(
      'debian-12 kernel 6.1.0-50 · OpenZFS 2.1.11'
    )
  })
})

describe('codeBlock', () => {
  /** The opening fence, and whether any inner line could close it (CommonMark: ≥ as many backticks). */
  function inspect(block: string): { fence: string; inner: string[]; closable: boolean } {
    const lines = block.split('\n')
    const fence = lines[0] ?? ''
    const inner = lines.slice(1, -1)
    const closable = inner.some(l => new RegExp(`^ {0,3}\`{${fence.length},}\\s*$`).test(l))
    expect(lines[lines.length - 1]).toBe(fence)
    return { fence, inner, closable }
  }

  it('uses a plain triple fence for text without backticks', () => {
    expect(codeBlock('failed to mount /tmp/containerd-mount1: invalid argument')).toBe(
      '```\nfailed to mount /tmp/containerd-mount1: invalid argument\n```'
    )
  })

  it('cannot be closed by a fence inside the excerpt', () => {
    const excerpt = 'before\n```\n</details>\n<script>alert(1)</script>\n``````\nafter'
    const { fence, inner, closable } = inspect(codeBlock(excerpt))
    expect(fence).toBe('```````')
    expect(closable).toBe(false)
    expect(inner.join('\n')).toBe(excerpt)
  })

  it('grows past a long backtick run in the middle of a line', () => {
    expect(inspect(codeBlock('a ```````````` b')).fence).toHaveLength(13)
  })

  it('shows pipes and markup verbatim (nothing to escape inside a fence)', () => {
    expect(codeBlock('a | b | c <b>')).toBe('```\na | b | c <b>\n```')
  })

  it('does not add a blank line when the text already ends with a newline', () => {
    expect(codeBlock('line\n')).toBe('```\nline\n```')
  })
})

describe('codeSpan', () => {
  it('uses a longer fence than the backticks inside', () => {
    expect(codeSpan('a`b``c')).toBe('```a`b``c```')
  })

  it('pads text that starts or ends with a backtick', () => {
    expect(codeSpan('`x')).toBe('`` `x ``')
  })

  it('keeps a path on one line', () => {
    expect(codeSpan('logs/a\nb.log')).toBe('`logs/a b.log`')
  })
})

describe('escapeXml', () => {
  it('escapes the five XML specials everywhere', () => {
    expect(escapeXml(`<a b="1" c='2'>&amp; & </a>`)).toBe(
      '&lt;a b=&quot;1&quot; c=&apos;2&apos;&gt;&amp;amp; &amp; &lt;/a&gt;'
    )
  })

  it('strips characters XML 1.0 forbids and keeps tab, newline and astral characters', () => {
    const text = 'a\u0000b\u001b[31mc\u0008\td\ne\r\uFFFE\uD800f 🔁'
    expect(escapeXml(text)).toBe('ab[31mc\td\ne\rf 🔁')
  })
})

describe('shorten', () => {
  it('returns short text unchanged', () => {
    expect(shorten('abc', 3)).toBe('abc')
  })

  it('cuts to exactly the limit, ellipsis included', () => {
    expect(shorten('abcdef', 4)).toBe('abc…')
  })

  it('never splits a surrogate pair', () => {
    expect(shorten('ab🔁cd', 4)).toBe('ab…')
  })
})

describe('escapeMarkdown: GitHub references', () => {
  it('keeps @mentions and #issue references in messages from notifying anyone', () => {
    expect(escapeMarkdown('ask @octocat, see #123')).toBe('ask @\u2060octocat, see &#35;\u2060123')
    expect(escapeMarkdown('@team/x')).toBe('@\u2060team/x')
  })

  it('leaves @ inside words (digests, e-mail addresses) and # before non-digits as they were', () => {
    expect(escapeMarkdown('busybox@sha256:abc a@b.c')).toBe('busybox@sha256:abc a@b.c')
    expect(escapeMarkdown('#x')).toBe('&#35;x')
  })
})
