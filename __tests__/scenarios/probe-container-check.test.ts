import { describe, expect, it } from '@jest/globals'
import {
  CONTAINER_CHECKS,
  CONTAINER_SCRIPT,
  containerOutput,
  failedChecks
} from '../../src/scenarios/probe/container-check.js'
import { PROBE_FILES } from '../../src/containerd/test-image.js'

/** What the probe container printed on Debian 12 (OpenZFS 2.1, overlayfs snapshotter). */
const DEBIAN_12_OUTPUT = `ZJM-IN-CONTAINER
ZJM-WHITEOUT-OK
mv: can't rename '/data/lower.txt': Invalid argument
ZJM-REMOVE-LOWER-OK
ZJM-WRITE-OK
`

const PASSING_OUTPUT = [
  'ZJM-IN-CONTAINER',
  'ZJM-WHITEOUT-OK',
  'ZJM-RENAME-LOWER-OK',
  'ZJM-REMOVE-LOWER-OK',
  'ZJM-WRITE-OK'
].join('\n')

describe('containerOutput', () => {
  it('strips the CRI log prefix of stdout and stderr lines', () => {
    const log = [
      '2026-11-24T23:03:20.123456789Z stdout F ZJM-IN-CONTAINER',
      '2026-11-24T23:03:20.123556789Z stdout F ZJM-WHITEOUT-OK',
      "2026-11-24T23:03:20.124000000Z stderr F mv: can't rename '/data/lower.txt': Invalid argument",
      '2026-11-24T23:03:20.124100000+00:00 stdout F ZJM-REMOVE-LOWER-OK',
      ''
    ].join('\n')
    expect(containerOutput(log)).toBe(
      [
        'ZJM-IN-CONTAINER',
        'ZJM-WHITEOUT-OK',
        "mv: can't rename '/data/lower.txt': Invalid argument",
        'ZJM-REMOVE-LOWER-OK'
      ].join('\n')
    )
  })

  it('joins the partial (P) pieces of a long line into one line, ended by its F piece', () => {
    const log = [
      '2026-11-24T23:03:20.1Z stdout P ZJM-RENAME-',
      '2026-11-24T23:03:20.1Z stdout P LOWER',
      '2026-11-24T23:03:20.1Z stdout F -OK',
      '2026-11-24T23:03:20.2Z stdout F ZJM-WRITE-OK'
    ].join('\n')
    expect(containerOutput(log)).toBe('ZJM-RENAME-LOWER-OK\nZJM-WRITE-OK')
  })

  it('strips the prefix of partial (P) lines too, keeping a trailing piece', () => {
    expect(containerOutput('2026-11-24T23:03:20.1Z stdout P ZJM-WRITE-OK')).toBe('ZJM-WRITE-OK')
    expect(containerOutput('2026-11-24T23:03:20.1Z stderr P mv: partial')).toBe('mv: partial')
  })

  it('keeps lines without a prefix as they are, and drops empty lines', () => {
    expect(
      containerOutput('plain line\n\n2026-11-24T23:03:20Z stdout F ZJM-WRITE-OK\nstdout F not a prefix')
    ).toBe('plain line\nZJM-WRITE-OK\nstdout F not a prefix')
  })

  it('keeps the text after the prefix verbatim, spaces included', () => {
    expect(containerOutput('2026-11-24T23:03:20Z stdout F   indented  text ')).toBe('  indented  text ')
  })

  it('a whole CRI log of a passing run gives every marker', () => {
    const log = PASSING_OUTPUT.split('\n')
      .map(l => `2026-11-24T23:03:20.123456789Z stdout F ${l}`)
      .join('\n')
    expect(failedChecks(containerOutput(log))).toEqual([])
  })
})

describe('failedChecks', () => {
  it('a passing output fails nothing', () => {
    expect(failedChecks(PASSING_OUTPUT)).toEqual([])
  })

  it('the Debian 12 output fails exactly the rename of the lower-layer file', () => {
    const failed = failedChecks(DEBIAN_12_OUTPUT)
    expect(failed.map(c => c.marker)).toEqual(['ZJM-RENAME-LOWER-OK'])
    expect(failed[0]!.what).toContain(PROBE_FILES.lower)
  })

  it('an empty output fails every check, in order', () => {
    expect(failedChecks('')).toEqual([...CONTAINER_CHECKS])
  })

  it('a marker counts only as a whole line (a broken whiteout is not an ok one)', () => {
    const failed = failedChecks(PASSING_OUTPUT.replace('ZJM-WHITEOUT-OK', 'ZJM-WHITEOUT-BROKEN'))
    expect(failed.map(c => c.marker)).toEqual(['ZJM-WHITEOUT-OK'])
    expect(failedChecks(`x ZJM-IN-CONTAINER x\n${PASSING_OUTPUT.split('\n').slice(1).join('\n')}`)).toEqual([
      CONTAINER_CHECKS[0]
    ])
  })

  it('surrounding whitespace and CRLF do not hide a marker', () => {
    expect(failedChecks(PASSING_OUTPUT.split('\n').join(' \r\n'))).toEqual([])
  })
})

describe('CONTAINER_SCRIPT', () => {
  it('works on the files the test image holds', () => {
    for (const path of Object.values(PROBE_FILES)) expect(CONTAINER_SCRIPT).toContain(path)
    expect(CONTAINER_SCRIPT).toContain(`mv ${PROBE_FILES.lower} `)
    expect(CONTAINER_SCRIPT).toContain(`test -e ${PROBE_FILES.deleted}`)
    expect(CONTAINER_SCRIPT).toContain(`rm ${PROBE_FILES.upper}`)
  })

  it('prints every marker the checks look for', () => {
    for (const check of CONTAINER_CHECKS) expect(CONTAINER_SCRIPT).toContain(`echo ${check.marker}`)
  })

  it('is one shell line (it is passed as `sh -c` argument)', () => {
    expect(CONTAINER_SCRIPT).not.toContain('\n')
  })
})
