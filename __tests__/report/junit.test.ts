import { describe, it, expect } from '@jest/globals'
import type { CellResult, Outcome } from '../../src/results/cell-result.js'
import type { Snapshotter, Tool, Variant } from '../../src/plan/axes.js'
import { findSignature } from '../../src/diagnose/signatures.js'
import { renderJUnit } from '../../src/report/junit.js'
import { cellResult } from '../builders.js'

function result(
  image: string,
  snapshotter: Snapshotter,
  tool: Tool,
  outcome: Outcome,
  extra: { durationSeconds?: number; logs?: readonly string[] } = {},
  variant: Variant = 'kubespray'
): CellResult {
  return cellResult(`${image}/${snapshotter}/${tool}/${variant}`, outcome, { durationSeconds: 10, ...extra })
}

interface XmlElement {
  readonly name: string
  readonly attributes: Readonly<Record<string, string>>
  readonly children: XmlElement[]
  /** Decoded character data directly inside the element. */
  text: string
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/**
 * A strict little XML reader, enough to prove well-formedness of what renderJUnit writes: one root,
 * matching close tags, quoted attributes without `<` or duplicates, and `&` only as a known entity.
 */
function parseXml(xml: string): XmlElement {
  let i = 0
  const fail = (why: string): never => {
    throw new Error(`${why} at offset ${i}: ${JSON.stringify(xml.slice(i, i + 40))}`)
  }
  const isNameChar = (c: string | undefined): boolean =>
    c !== undefined &&
    ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || '_-.:'.includes(c))
  const skipSpace = (): void => {
    while (i < xml.length && ' \t\r\n'.includes(xml.charAt(i))) i++
  }
  const expectText = (s: string): void => {
    if (!xml.startsWith(s, i)) fail(`expected ${s}`)
    i += s.length
  }
  const readName = (): string => {
    const start = i
    while (isNameChar(xml[i])) i++
    if (i === start) fail('expected a name')
    return xml.slice(start, i)
  }
  const decode = (raw: string): string => {
    let out = ''
    for (let k = 0; k < raw.length; k++) {
      const c = raw.charAt(k)
      if (c === '<') fail('raw < in character data or attribute')
      if (c !== '&') {
        out += c
        continue
      }
      const end = raw.indexOf(';', k)
      const entity = end < 0 ? '' : raw.slice(k + 1, end)
      const known = ENTITIES[entity]
      if (known !== undefined) out += known
      else if (entity.startsWith('#') && Number.isInteger(Number(entity.slice(1))) && entity.length > 1) {
        out += String.fromCodePoint(Number(entity.slice(1)))
      } else fail(`bad entity &${entity};`)
      k = end
    }
    return out
  }
  const element = (): XmlElement => {
    expectText('<')
    const name = readName()
    const attributes: Record<string, string> = {}
    for (;;) {
      skipSpace()
      if (xml.startsWith('/>', i)) {
        i += 2
        return { name, attributes, children: [], text: '' }
      }
      if (xml[i] === '>') {
        i++
        break
      }
      const attribute = readName()
      if (attribute in attributes) fail(`duplicate attribute ${attribute}`)
      skipSpace()
      expectText('=')
      skipSpace()
      const quote = xml.charAt(i)
      if (quote !== '"' && quote !== "'") fail('unquoted attribute')
      const end = xml.indexOf(quote, i + 1)
      if (end < 0) fail('unterminated attribute')
      attributes[attribute] = decode(xml.slice(i + 1, end))
      i = end + 1
    }
    const node: XmlElement = { name, attributes, children: [], text: '' }
    for (;;) {
      const next = xml.indexOf('<', i)
      if (next < 0) fail(`unclosed <${name}>`)
      node.text += decode(xml.slice(i, next))
      i = next
      if (xml.startsWith('</', i)) {
        i += 2
        if (readName() !== name) fail(`mismatched close tag for <${name}>`)
        skipSpace()
        expectText('>')
        return node
      }
      node.children.push(element())
    }
  }

  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>')
    if (end < 0) fail('unterminated declaration')
    i = end + 2
  }
  skipSpace()
  const root = element()
  skipSpace()
  if (i !== xml.length) fail('content after the root element')
  return root
}

function only(children: readonly XmlElement[], name: string): XmlElement {
  const found = children.filter(c => c.name === name)
  expect(found).toHaveLength(1)
  return found[0] as XmlElement
}

describe('parseXml (the test helper)', () => {
  it.each(['<a><b></a></b>', '<a x="1<2"/>', '<a>1 & 2</a>', '<a x="1" x="2"/>', '<a/><b/>', '<a x=1/>'])(
    'rejects %s',
    xml => {
      expect(() => parseXml(xml)).toThrow()
    }
  )
})

describe('renderJUnit', () => {
  const einval = findSignature('overlayfs-mount-einval')
  const hostileMessage = `mount "failed" | <script>alert('x')</script> & more`
  const hostileExcerpt = 'line 1 ]]> <b>\u001b[31mred\u001b[0m\u0000 & `x`\n```\n</failure>'
  const results = [
    result('debian-11', 'overlayfs', 'nerdctl', {
      status: 'fail',
      signature: 'overlayfs-mount-einval',
      message: hostileMessage,
      excerpt: hostileExcerpt
    }),
    result(
      'debian-11',
      'zfs',
      'nerdctl',
      { status: 'pass' },
      { durationSeconds: 12.5, logs: ['a.log', 'b<c>.log'] }
    ),
    result('debian-11', 'native', 'ctr', { status: 'skipped', reason: 'no "KVM" <here>' }),
    result('debian-12', 'zfs', 'ctr', { status: 'error', message: 'qemu exited', excerpt: 'kvm: denied' }),
    result(
      'debian-12',
      'overlayfs',
      'ctr',
      { status: 'flaky', failedAttempts: 2, signature: 'overlayfs-rename-whiteout' },
      {},
      'fixed'
    ),
    result('weird<&>"image', 'zfs', 'crictl', { status: 'pass' }, { durationSeconds: Number.NaN })
  ]
  const xml = renderJUnit(`ZFS joins <"main"> & 'pr'`, results)
  const root = parseXml(xml)
  const suites = root.children

  it('is well-formed XML with a declaration and one testsuites root', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true)
    expect(root.name).toBe('testsuites')
    expect(root.attributes.name).toBe(`ZFS joins <"main"> & 'pr'`)
    const controls = [...xml].filter(c => (c.codePointAt(0) ?? 0) < 0x20 && !'\t\n\r'.includes(c))
    expect(controls).toEqual([])
  })

  it('has one testsuite per image, in order, with its counts', () => {
    expect(suites.map(s => [s.name, s.attributes.name])).toEqual([
      ['testsuite', 'debian-11'],
      ['testsuite', 'debian-12'],
      ['testsuite', 'weird<&>"image']
    ])
    const counts = (s: XmlElement | undefined): (string | undefined)[] =>
      ['tests', 'failures', 'errors', 'skipped', 'time'].map(a => s?.attributes[a])
    expect(counts(suites[0])).toEqual(['3', '1', '0', '1', '32.500'])
    expect(counts(suites[1])).toEqual(['2', '0', '1', '0', '20.000'])
    expect(counts(suites[2])).toEqual(['1', '0', '0', '0', '0.000'])
    expect(counts(root)).toEqual(['6', '1', '1', '1', '52.500'])
  })

  it('names each testcase by image and snapshotter/tool/variant', () => {
    const cases = suites.flatMap(s => s.children)
    expect(cases.map(c => `${c.attributes.classname} ${c.attributes.name}`)).toEqual([
      'debian-11 overlayfs/nerdctl/kubespray',
      'debian-11 zfs/nerdctl/kubespray',
      'debian-11 native/ctr/kubespray',
      'debian-12 zfs/ctr/kubespray',
      'debian-12 overlayfs/ctr/fixed',
      'weird<&>"image zfs/crictl/kubespray'
    ])
    expect(cases[1]?.attributes.time).toBe('12.500')
  })

  it('gives the two variants of one cell distinct testcases in the same suite', () => {
    const both = parseXml(
      renderJUnit('t', [
        result('debian-12', 'zfs', 'ctr', { status: 'fail', signature: 'x', message: 'm' }),
        result('debian-12', 'zfs', 'ctr', { status: 'pass' }, {}, 'fixed')
      ])
    )
    expect(both.children.map(s => s.attributes.name)).toEqual(['debian-12'])
    const cases = both.children[0]?.children ?? []
    expect(cases.map(c => c.attributes.name)).toEqual(['zfs/ctr/kubespray', 'zfs/ctr/fixed'])
    expect(cases.map(c => c.children.map(e => e.name))).toEqual([['failure'], []])
  })

  it('reports a failure with its signature, message, root cause, fix and excerpt', () => {
    const failure = only(suites[0]?.children[0]?.children ?? [], 'failure')
    expect(failure.attributes.type).toBe('overlayfs-mount-einval')
    expect(failure.attributes.message).toBe(hostileMessage)
    expect(failure.text).toContain(einval?.rootCause)
    expect(failure.text).toContain(einval?.fix)
    expect(failure.text).toContain('line 1 ]]> <b>[31mred[0m & `x`\n```\n</failure>')
  })

  it('reports errors and skips, and passes a flaky cell while noting its failed attempts', () => {
    const skipped = only(suites[0]?.children[2]?.children ?? [], 'skipped')
    expect(skipped.attributes.message).toBe('no "KVM" <here>')
    const error = only(suites[1]?.children[0]?.children ?? [], 'error')
    expect(error.attributes.message).toBe('qemu exited')
    expect(error.text).toContain('kvm: denied')
    const flaky = suites[1]?.children[1]?.children ?? []
    expect(flaky.map(c => c.name)).toEqual(['system-out'])
    expect(flaky[0]?.text).toContain('Passed after 2 failed attempt(s)')
    expect(flaky[0]?.text).toContain('overlayfs-rename-whiteout')
  })

  it('lists log paths in system-out', () => {
    const out = only(suites[0]?.children[1]?.children ?? [], 'system-out')
    expect(out.text).toBe('Logs:\n  a.log\n  b<c>.log')
  })

  it('writes an empty but valid document for no results', () => {
    const empty = parseXml(renderJUnit('t', []))
    expect(empty.children).toHaveLength(0)
    expect(empty.attributes.tests).toBe('0')
  })
})
