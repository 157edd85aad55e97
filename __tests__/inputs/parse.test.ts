import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { InputErrors } from '../../src/inputs/errors.js'
import { parseConfig } from '../../src/inputs/parse.js'
import type { RawInputs } from '../../src/inputs/spec.js'
import { makeResultsDocument } from '../../src/results/results-document.js'
import { tempDir } from '../helpers.js'

function problemsFor(raw: RawInputs, cwd = tempDir()): string[] {
  try {
    parseConfig(raw, { cwd })
  } catch (e) {
    if (e instanceof InputErrors) return e.problems.map(p => `${p.input}: ${p.message}`)
    throw e
  }
  return []
}

describe('parseConfig defaults', () => {
  it('gives the default matrix: four images, three snapshotters, three tools, both variants, lint + probe', () => {
    const cwd = tempDir()
    const config = parseConfig({}, { cwd })
    expect(config.axes.images.map(i => i.name)).toEqual([
      'debian-11',
      'debian-12',
      'debian-12-zfs23',
      'debian-13'
    ])
    expect(config.axes.snapshotters).toEqual(['overlayfs', 'zfs', 'native'])
    expect(config.axes.tools).toEqual(['nerdctl', 'crictl', 'ctr'])
    expect(config.axes.variants).toEqual(['kubespray', 'fixed'])
    expect(config.tiers).toEqual(['lint', 'probe'])
    expect(config.mode).toBe('all')
    expect(config.cellTimeoutMs).toBe(20 * 60_000)
    expect(config.retries).toBe(0)
    expect(config.outputDir).toBe(join(cwd, 'zfs-join-results'))
    expect(config.kubesprayPath).toBeNull()
    expect(config.baseline).toBeNull()
    expect(config.githubToken).toBeNull()
    expect(config.mirror).toBe('http://deb.debian.org/debian')
    expect(config.runnerSetup).toBe('auto')
  })

  it("keeps images under the home cache unless told otherwise, and trims a mirror's trailing slash", () => {
    const cwd = tempDir()
    expect(parseConfig({}, { cwd, home: '/home/runner' }).imageCache).toBe(
      '/home/runner/.cache/zfs-join-matrix/images'
    )
    const config = parseConfig({ 'image-cache': 'cache', mirror: 'https://mirror.example/debian/' }, { cwd })
    expect(config.imageCache).toBe(join(cwd, 'cache'))
    expect(config.mirror).toBe('https://mirror.example/debian')
  })

  it('reads lists written on one line or as a YAML block, in any order, and sorts tiers', () => {
    const config = parseConfig(
      { images: 'debian-13\ndebian-11\n', tiers: 'probe lint', tools: 'ctr,nerdctl' },
      { cwd: tempDir() }
    )
    expect(config.axes.images.map(i => i.name)).toEqual(['debian-11', 'debian-13'])
    expect(config.tiers).toEqual(['lint', 'probe'])
    expect(config.axes.tools).toEqual(['ctr', 'nerdctl'])
  })

  it('reads the variants and four-part patterns that pick one', () => {
    const cwd = tempDir()
    expect(parseConfig({ variants: 'fixed' }, { cwd }).axes.variants).toEqual(['fixed'])
    expect(parseConfig({ variants: 'fixed\nkubespray\n' }, { cwd }).axes.variants).toEqual([
      'fixed',
      'kubespray'
    ])
    const config = parseConfig({ include: 'debian-12/*/*/fixed, */*/ctr', exclude: '*/native' }, { cwd })
    expect(config.include.map(p => p.text)).toEqual(['debian-12/*/*/fixed', '*/*/ctr'])
    expect(config.exclude.map(p => p.text)).toEqual(['*/native'])
  })

  it('parses durations, shards and a valid baseline', () => {
    const cwd = tempDir()
    writeFileSync(join(cwd, 'base.json'), JSON.stringify(makeResultsDocument('t', [], new Date(0))))
    mkdirSync(join(cwd, 'kubespray'))
    const config = parseConfig(
      {
        'cell-timeout': '1h30m',
        shard: '2/4',
        baseline: 'base.json',
        'kubespray-path': 'kubespray',
        'kubespray-ref': 'release-2.25'
      },
      { cwd }
    )
    expect(config.cellTimeoutMs).toBe(90 * 60_000)
    expect(config.shard).toEqual({ index: 2, count: 4 })
    expect(config.baseline?.document.cells).toEqual([])
    expect(config.kubesprayPath).toBe(join(cwd, 'kubespray'))
    expect(config.kubesprayRef).toBe('release-2.25')
  })
})

describe('parseConfig rejects bad input, naming the input, the value and what is allowed', () => {
  // Shared by every case, so it outlives the per-test temp dirs.
  const cwd = mkdtempSync(join(tmpdir(), 'zjm-inputs-'))
  afterAll(() => rmSync(cwd, { recursive: true, force: true }))
  writeFileSync(join(cwd, 'not-json.json'), '{ "schema": ')
  writeFileSync(join(cwd, 'wrong-schema.json'), JSON.stringify({ schema: 'something/else', cells: [] }))
  writeFileSync(
    join(cwd, 'bad-cell.json'),
    JSON.stringify({
      ...makeResultsDocument('t', [], new Date(0)),
      cells: [{ id: 'debian-12/zfs/ctr', status: 'passed' }]
    })
  )
  writeFileSync(
    join(cwd, 'bad-id.json'),
    JSON.stringify({ ...makeResultsDocument('t', [], new Date(0)), cells: [{ id: 'x', status: 'pass' }] })
  )
  writeFileSync(join(cwd, 'a-file'), 'x')

  const cases: [string, RawInputs, string][] = [
    [
      'unknown image',
      { images: 'ubuntu-22.04' },
      'images: "ubuntu-22.04" is not one of debian-11, debian-12, debian-12-zfs23, debian-13, debian-13-containerd2'
    ],
    ['empty image list', { images: ' , ' }, 'images: is empty; list one or more of debian-11'],
    ['duplicate image', { images: 'debian-12, debian-12' }, 'images: "debian-12" is listed more than once'],
    [
      'unknown snapshotter',
      { snapshotters: 'overlay' },
      'snapshotters: "overlay" is not one of overlayfs, zfs, native'
    ],
    [
      'empty snapshotter list',
      { snapshotters: ',' },
      'snapshotters: is empty; list one or more of overlayfs, zfs, native'
    ],
    [
      'snapshotter in wrong case',
      { snapshotters: 'ZFS' },
      'snapshotters: "ZFS" is not one of overlayfs, zfs, native'
    ],
    ['unknown tool', { tools: 'docker' }, 'tools: "docker" is not one of nerdctl, crictl, ctr'],
    ['duplicate tool', { tools: 'ctr ctr' }, 'tools: "ctr" is listed more than once'],
    ['unknown variant', { variants: 'foo' }, 'variants: "foo" is not one of kubespray, fixed'],
    ['empty variant list', { variants: ' ,' }, 'variants: is empty; list one or more of kubespray, fixed'],
    ['duplicate variant', { variants: 'fixed, fixed' }, 'variants: "fixed" is listed more than once'],
    ['unknown tier', { tiers: 'smoke' }, 'tiers: "smoke" is not one of lint, probe, join, rejoin'],
    ['rejoin without join', { tiers: 'probe, rejoin' }, 'tiers: "rejoin" needs "join"'],
    ['empty tiers', { tiers: ',,' }, 'tiers: is empty'],
    ['unknown mode', { mode: 'full' }, 'mode: "full" is not one of all, plan, run, report, images'],
    [
      'mirror that is not a URL',
      { mirror: 'deb.debian.org/debian' },
      'mirror: "deb.debian.org/debian" is not a URL'
    ],
    [
      'mirror over ftp',
      { mirror: 'ftp://ftp.debian.org/debian' },
      'mirror: "ftp://ftp.debian.org/debian" must be an http:// or https:// URL'
    ],
    ['mirror with a query', { mirror: 'http://m.example/debian?x=1' }, 'must be a plain mirror URL'],
    [
      'image cache that is a file',
      { 'image-cache': 'a-file' },
      'image-cache: "a-file" exists and is not a directory'
    ],
    [
      'unknown runner-setup',
      { 'runner-setup': 'yes' },
      'runner-setup: "yes" is not one of auto, always, never'
    ],
    [
      'shard in images mode',
      { shard: '1/2', mode: 'images' },
      'shard: is for mode run or all; mode is "images"'
    ],
    ['shard bigger than count', { shard: '3/2', mode: 'run' }, 'shard: "3/2" is not of the form i/n'],
    ['shard zero', { shard: '0/2', mode: 'run' }, 'shard: "0/2" is not of the form i/n'],
    ['shard not numbers', { shard: 'a/b', mode: 'run' }, 'shard: "a/b" is not of the form i/n'],
    [
      'shard over 256 jobs',
      { shard: '1/300', mode: 'run' },
      'shard: "1/300" is not of the form i/n (1 <= i <= n <= 256)'
    ],
    ['shard in plan mode', { shard: '1/2', mode: 'plan' }, 'shard: is for mode run or all; mode is "plan"'],
    [
      'more shards than cells',
      { shard: '1/80', mode: 'run' },
      'shard: "1/80" splits 72 cells into more shards than cells'
    ],
    ['shards outside plan mode', { shards: '4' }, 'shards: is for mode plan; mode is "all"'],
    ['shards zero', { shards: '0', mode: 'plan' }, 'shards: "0" is out of range: 1 to 256'],
    [
      'shards more than cells',
      { shards: '80', mode: 'plan' },
      'shards: 80 is more than the 72 planned cells'
    ],
    [
      'negative timeout',
      { 'cell-timeout': '-5m' },
      'cell-timeout: "-5m" is not a duration such as 90s, 20m or 1h30m'
    ],
    ['zero timeout', { 'cell-timeout': '0s' }, 'cell-timeout: "0s" must be longer than zero'],
    ['timeout without number', { 'cell-timeout': 'soon' }, 'cell-timeout: "soon" is not a duration'],
    [
      'timeout longer than a job',
      { 'cell-timeout': '7h' },
      'cell-timeout: "7h" is longer than the 6h a GitHub job may run'
    ],
    ['negative retries', { retries: '-1' }, 'retries: "-1" is out of range: 0 to 5'],
    ['fractional retries', { retries: '1.5' }, 'retries: "1.5" is not a whole number (0 to 5)'],
    ['too many retries', { retries: '9' }, 'retries: "9" is out of range: 0 to 5'],
    [
      'unknown comment mode',
      { 'comment-mode': 'sometimes' },
      'comment-mode: "sometimes" is not one of always, changes, failures, off'
    ],
    [
      'unknown fail-on',
      { 'fail-on': 'errors' },
      'fail-on: "errors" is not one of regressions, failures, never'
    ],
    [
      'include pattern matching no cell',
      { include: 'debian-99/*/*' },
      'include: "debian-99/*/*" matches no cell of the planned axes'
    ],
    [
      'exclude pattern matching no cell',
      { exclude: '*/overlay/*' },
      'exclude: "*/overlay/*" matches no cell'
    ],
    [
      'more shards than the variants asked for leave cells',
      { shards: '40', mode: 'plan', variants: 'fixed' },
      'shards: 40 is more than the 36 planned cells'
    ],
    [
      'pattern for a variant not asked for',
      { include: 'debian-12/*/*/fixed', variants: 'kubespray' },
      'include: "debian-12/*/*/fixed" matches no cell of the planned axes (cells look like debian-11/overlayfs/nerdctl/kubespray)'
    ],
    [
      'pattern with an unknown variant',
      { exclude: '*/*/*/patched' },
      'exclude: "*/*/*/patched" matches no cell'
    ],
    [
      'pattern with five parts',
      { include: 'a/b/c/d/e' },
      'include: "a/b/c/d/e" has more than four parts (image/snapshotter/tool/variant)'
    ],
    [
      'pattern with an empty part',
      { exclude: 'debian-12//ctr' },
      'exclude: "debian-12//ctr" has an empty part'
    ],
    [
      'pattern with a bad character',
      { include: 'debian-12/$(id)' },
      'include: "debian-12/$(id)" part "$(id)" may only hold'
    ],
    ['exclude removing everything', { exclude: '*' }, 'exclude: leaves no cell to test'],
    ['missing baseline file', { baseline: 'nope.json' }, 'baseline: "nope.json" does not exist'],
    [
      'baseline that is not JSON',
      { baseline: 'not-json.json' },
      'baseline: "not-json.json" is not a results.json: Invalid JSON'
    ],
    [
      'baseline with another schema',
      { baseline: 'wrong-schema.json' },
      'schema: expected "zfs-join-matrix/results/v1"'
    ],
    ['baseline with a bad cell', { baseline: 'bad-cell.json' }, 'cells[0].image: expected a string'],
    [
      'baseline with a bad cell id',
      { baseline: 'bad-id.json' },
      'cells[0].id: expected image/snapshotter/tool/variant, found "x"'
    ],
    [
      'missing kubespray path',
      { 'kubespray-path': 'no-such-dir' },
      'kubespray-path: "no-such-dir" does not exist'
    ],
    [
      'kubespray path that is a file',
      { 'kubespray-path': 'a-file' },
      'kubespray-path: "a-file" is not a directory'
    ],
    [
      'kubespray ref with ..',
      { 'kubespray-ref': 'main..evil' },
      'kubespray-ref: "main..evil" may not contain ".."'
    ],
    [
      'kubespray ref that is an option',
      { 'kubespray-ref': '--upload-pack=x' },
      'kubespray-ref: "--upload-pack=x" may not start with "-"'
    ],
    ['kubespray ref with a space', { 'kubespray-ref': 'release 2.25' }, 'may not contain spaces'],
    [
      'output dir that is a file',
      { 'output-dir': 'a-file' },
      'output-dir: "a-file" exists and is not a directory'
    ],
    ['write-baseline at a directory', { 'write-baseline': '.' }, 'write-baseline: "." is a directory'],
    ['multi-line title', { title: 'a\nb' }, 'title: must be a single line'],
    ['title too long', { title: 'x'.repeat(101) }, 'title: is 101 characters; at most 100']
  ]

  it.each(cases)('%s', (_name, raw, expected) => {
    const problems = problemsFor(raw, cwd)
    expect(problems.join('\n')).toContain(expected)
  })

  it('covers at least 30 distinct bad inputs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30)
  })

  it('reports every problem together, not just the first', () => {
    const problems = problemsFor(
      { images: 'centos', snapshotters: 'btrfs', tools: 'podman', variants: 'foo', retries: 'x', mode: 'go' },
      cwd
    )
    expect(problems.map(p => p.split(':')[0])).toEqual([
      'mode',
      'images',
      'snapshotters',
      'tools',
      'variants',
      'retries'
    ])
  })

  it('shortens a pasted blob in the message', () => {
    const [message] = problemsFor({ tools: 'n'.repeat(500) }, cwd)
    expect(message!.length).toBeLessThan(200)
  })

  it('the thrown error lists every problem in its message', () => {
    expect(() => parseConfig({ tools: 'podman', retries: '-2' }, { cwd })).toThrow(
      /2 invalid inputs:\n {2}tools: "podman" is not one of nerdctl, crictl, ctr\n {2}retries: "-2" is out of range: 0 to 5/
    )
  })
})

describe('parseConfig: check run, tracking issue and artifact inputs', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'zjm-inputs-gh-'))
  afterAll(() => rmSync(cwd, { recursive: true, force: true }))

  it('has the documented defaults', () => {
    const config = parseConfig({}, { cwd })
    expect({
      checkRun: config.checkRun,
      trackingIssue: config.trackingIssue,
      issueLabel: config.issueLabel,
      issueHistory: config.issueHistory,
      closeIssue: config.closeIssue,
      uploadResults: config.uploadResults,
      artifactName: config.artifactName,
      resultsRunId: config.resultsRunId
    }).toEqual({
      checkRun: true,
      trackingIssue: 'auto',
      issueLabel: 'zfs-join-matrix',
      issueHistory: 10,
      closeIssue: false,
      uploadResults: 'auto',
      artifactName: 'zfs-join-results',
      resultsRunId: null
    })
  })

  it('treats empty or blank inputs as their defaults', () => {
    const config = parseConfig(
      {
        'check-run': '',
        'close-issue': ' ',
        'tracking-issue': '',
        'issue-label': '  ',
        'issue-history': '',
        'upload-results': '',
        'artifact-name': '',
        'results-run-id': ' '
      },
      { cwd }
    )
    expect([config.checkRun, config.closeIssue, config.trackingIssue, config.issueLabel]).toEqual([
      true,
      false,
      'auto',
      'zfs-join-matrix'
    ])
    expect([config.issueHistory, config.uploadResults, config.artifactName, config.resultsRunId]).toEqual([
      10,
      'auto',
      'zfs-join-results',
      null
    ])
  })

  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    [' true\n', true],
    ['false', false],
    ['False', false],
    ['FALSE', false]
  ])('reads the boolean %j as %p for check-run and close-issue', (text, value) => {
    const config = parseConfig({ 'check-run': text, 'close-issue': text }, { cwd })
    expect(config.checkRun).toBe(value)
    expect(config.closeIssue).toBe(value)
  })

  it('reads the choices and numbers given', () => {
    const config = parseConfig(
      {
        'tracking-issue': 'always',
        'issue-label': 'zfs: nightly matrix',
        'issue-history': '50',
        'upload-results': 'never',
        'artifact-name': 'nightly results-v2',
        'results-run-id': '9876543210',
        mode: 'report'
      },
      { cwd }
    )
    expect(config.trackingIssue).toBe('always')
    expect(config.issueLabel).toBe('zfs: nightly matrix')
    expect(config.issueHistory).toBe(50)
    expect(config.uploadResults).toBe('never')
    expect(config.artifactName).toBe('nightly results-v2')
    expect(config.resultsRunId).toBe(9876543210)
    expect(config.mode).toBe('report')
    expect(parseConfig({ 'tracking-issue': 'off', 'upload-results': 'always' }, { cwd })).toMatchObject({
      trackingIssue: 'off',
      uploadResults: 'always'
    })
    expect(parseConfig({ 'issue-history': '1' }, { cwd }).issueHistory).toBe(1)
  })

  it('accepts a 50-character label and a 180-character artifact prefix', () => {
    const config = parseConfig({ 'issue-label': 'l'.repeat(50), 'artifact-name': 'a'.repeat(180) }, { cwd })
    expect(config.issueLabel).toBe('l'.repeat(50))
    expect(config.artifactName).toBe('a'.repeat(180))
  })

  const cases: [string, RawInputs, string][] = [
    ['check-run yes', { 'check-run': 'yes' }, 'check-run: "yes" is not a boolean: true or false'],
    ['check-run 1', { 'check-run': '1' }, 'check-run: "1" is not a boolean: true or false'],
    ['check-run tRUE', { 'check-run': 'tRUE' }, 'check-run: "tRUE" is not a boolean: true or false'],
    ['close-issue yes', { 'close-issue': 'yes' }, 'close-issue: "yes" is not a boolean: true or false'],
    ['close-issue no', { 'close-issue': 'no' }, 'close-issue: "no" is not a boolean: true or false'],
    [
      'unknown tracking-issue',
      { 'tracking-issue': 'never' },
      'tracking-issue: "never" is not one of auto, always, off'
    ],
    [
      'tracking-issue in wrong case',
      { 'tracking-issue': 'Auto' },
      'tracking-issue: "Auto" is not one of auto, always, off'
    ],
    [
      'issue-label with a comma',
      { 'issue-label': 'zfs,matrix' },
      'issue-label: "zfs,matrix" may not contain commas or line breaks'
    ],
    [
      'issue-label with a line break',
      { 'issue-label': 'zfs\nmatrix' },
      'issue-label: "zfs\\nmatrix" may not contain commas or line breaks'
    ],
    [
      'issue-label over 50 characters',
      { 'issue-label': 'l'.repeat(51) },
      `issue-label: "${'l'.repeat(51)}" is longer than 50 characters`
    ],
    ['issue-history zero', { 'issue-history': '0' }, 'issue-history: "0" is out of range: 1 to 50'],
    ['issue-history 51', { 'issue-history': '51' }, 'issue-history: "51" is out of range: 1 to 50'],
    [
      'issue-history not a number',
      { 'issue-history': 'ten' },
      'issue-history: "ten" is not a whole number (1 to 50)'
    ],
    [
      'unknown upload-results',
      { 'upload-results': 'true' },
      'upload-results: "true" is not one of auto, always, never'
    ],
    [
      'artifact-name with a slash',
      { 'artifact-name': 'results/zfs' },
      'artifact-name: "results/zfs" may not contain any of " : < > | * ? \\ / or line breaks'
    ],
    [
      'artifact-name with a colon',
      { 'artifact-name': 'zfs:results' },
      'artifact-name: "zfs:results" may not'
    ],
    [
      'artifact-name with a quote',
      { 'artifact-name': 'zfs"results' },
      'artifact-name: "zfs\\"results" may not'
    ],
    ['artifact-name with a backslash', { 'artifact-name': 'a\\b' }, 'artifact-name: "a\\\\b" may not'],
    ['artifact-name with a star', { 'artifact-name': 'a*' }, 'artifact-name: "a*" may not'],
    ['artifact-name over 180 characters', { 'artifact-name': 'a'.repeat(181) }, 'artifact-name: "aaaa'],
    [
      'results-run-id zero',
      { 'results-run-id': '0', mode: 'report' },
      `results-run-id: "0" is out of range: 1 to ${Number.MAX_SAFE_INTEGER}`
    ],
    [
      'results-run-id negative',
      { 'results-run-id': '-4', mode: 'report' },
      'results-run-id: "-4" is out of range: 1 to'
    ],
    [
      'results-run-id fractional',
      { 'results-run-id': '1.5', mode: 'report' },
      'results-run-id: "1.5" is not a whole number'
    ],
    [
      'results-run-id an expression left unexpanded',
      { 'results-run-id': '${{ github.event.workflow_run.id }}', mode: 'report' },
      'results-run-id: "${{ github.event.workflow_run.id }}" is not a whole number'
    ],
    [
      'results-run-id beyond a safe integer',
      { 'results-run-id': '9007199254740993', mode: 'report' },
      'results-run-id: "9007199254740993" is out of range'
    ],
    [
      'results-run-id outside mode report',
      { 'results-run-id': '123' },
      'results-run-id: is for mode report; mode is "all"'
    ],
    [
      'results-run-id in mode run',
      { 'results-run-id': '123', mode: 'run' },
      'results-run-id: is for mode report; mode is "run"'
    ]
  ]

  it.each(cases)('rejects %s', (_name, raw, expected) => {
    const problems = problemsFor(raw, cwd)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toContain(expected)
  })

  it('says why an artifact prefix is too long', () => {
    expect(problemsFor({ 'artifact-name': 'a'.repeat(181) }, cwd)).toEqual([
      `artifact-name: "${'a'.repeat(77)}..." is longer than 180 characters`
    ])
  })

  it('reports every bad new input together', () => {
    const problems = problemsFor(
      {
        'check-run': 'yes',
        'tracking-issue': 'x',
        'issue-label': 'a,b',
        'issue-history': '99',
        'close-issue': 'on',
        'upload-results': 'x',
        'artifact-name': 'a/b',
        'results-run-id': 'x',
        mode: 'report'
      },
      cwd
    )
    expect(problems.map(p => p.split(':')[0])).toEqual([
      'check-run',
      'tracking-issue',
      'issue-label',
      'issue-history',
      'close-issue',
      'upload-results',
      'artifact-name',
      'results-run-id'
    ])
  })
})

describe('the join inputs', () => {
  it('default to no vars, the auto Ansible and a restricted guest network', () => {
    const config = parseConfig({}, { cwd: tempDir() })
    expect([config.kubesprayVars, config.ansible, config.guestNetwork]).toEqual([{}, 'auto', 'restricted'])
  })

  it('read kubespray-vars as a YAML mapping, lists and mappings kept', () => {
    const cwd = tempDir()
    writeFileSync(
      join(cwd, 'offline.yml'),
      'files_repo: http://mirror.lab:8080\ncontainerd_registries_mirrors:\n  - prefix: docker.io\n    mirrors: [{host: "http://mirror.lab:5000"}]\n'
    )
    const config = parseConfig(
      { 'kubespray-vars': 'offline.yml', ansible: 'venv', 'guest-network': 'outbound' },
      { cwd }
    )
    expect(config.kubesprayVars).toEqual({
      files_repo: 'http://mirror.lab:8080',
      containerd_registries_mirrors: [{ prefix: 'docker.io', mirrors: [{ host: 'http://mirror.lab:5000' }] }]
    })
    expect([config.ansible, config.guestNetwork]).toEqual(['venv', 'outbound'])
  })

  it('refuse a missing, non-YAML or non-mapping file, the matrix’s own variables, and unknown choices', () => {
    const cwd = tempDir()
    writeFileSync(join(cwd, 'bad.yml'), 'a: [1, 2\n')
    writeFileSync(join(cwd, 'list.yml'), '- files_repo: x\n')
    writeFileSync(
      join(cwd, 'axes.yml'),
      'containerd_snapshotter: zfs\nnerdctl_snapshotter: zfs\nfiles_repo: x\n'
    )
    expect(problemsFor({ 'kubespray-vars': 'nope.yml' }, cwd)).toEqual([
      `kubespray-vars: "nope.yml" does not exist (resolved to ${join(cwd, 'nope.yml')})`
    ])
    expect(problemsFor({ 'kubespray-vars': 'bad.yml' }, cwd)[0]).toMatch(
      /^kubespray-vars: "bad\.yml" is not YAML: /
    )
    expect(problemsFor({ 'kubespray-vars': 'list.yml' }, cwd)).toEqual([
      'kubespray-vars: "list.yml" must be a YAML mapping of variable: value'
    ])
    expect(problemsFor({ 'kubespray-vars': 'axes.yml' }, cwd)).toEqual([
      'kubespray-vars: "axes.yml" sets containerd_snapshotter, nerdctl_snapshotter, which each cell sets itself (snapshotters, tools and variants are the matrix\'s axes)'
    ])
    expect(problemsFor({ ansible: 'pip', 'guest-network': 'open' }, cwd)).toEqual([
      'ansible: "pip" is not one of auto, venv, system',
      'guest-network: "open" is not one of restricted, outbound'
    ])
  })
})

describe('github-token', () => {
  it('holding a line break is rejected without showing any of it', () => {
    const token = 'ghp_abc\n::set-output name=x::y'
    let problems: readonly { input: string; message: string }[] = []
    try {
      parseConfig({ 'github-token': token }, { cwd: tempDir() })
    } catch (e) {
      problems = (e as InputErrors).problems
    }
    expect(problems).toEqual([
      { input: 'github-token', message: 'holds a line break; a token is one line (its value is not shown)' }
    ])
  })
})

describe('the doctor inputs', () => {
  it('hosts, or an inventory and a key (with ~ expanded), and ssh options one per line', () => {
    const home = tempDir()
    mkdirSync(join(home, '.ssh'))
    writeFileSync(join(home, '.ssh/key'), 'k')
    const ws = tempDir()
    writeFileSync(join(ws, 'hosts.ini'), '[all]\n')
    const c = parseConfig(
      {
        mode: 'doctor',
        inventory: 'hosts.ini',
        'ssh-identity': '~/.ssh/key',
        'ssh-options': 'StrictHostKeyChecking=accept-new\n  ConnectionAttempts=2\n'
      },
      { cwd: ws, home }
    )
    expect(c.doctor).toEqual({
      hosts: [],
      inventory: join(ws, 'hosts.ini'),
      identity: join(home, '.ssh/key'),
      sshOptions: ['StrictHostKeyChecking=accept-new', 'ConnectionAttempts=2']
    })
    expect(parseConfig({ mode: 'doctor', hosts: 'root@a:22, b' }, { cwd: ws }).doctor.hosts).toEqual([
      'root@a:22',
      'b'
    ])
  })

  it.each([
    [{ mode: 'doctor' }, 'hosts', /is empty, and so is inventory/],
    [{ mode: 'doctor', hosts: 'a,a' }, 'hosts', /"a" is listed more than once/],
    [{ mode: 'doctor', hosts: 'h:0' }, 'hosts', /port 0 is not 1-65535/],
    [{ mode: 'doctor', hosts: 'h', 'ssh-identity': 'nokey' }, 'ssh-identity', /"nokey" does not exist/],
    [
      { mode: 'doctor', hosts: 'h', 'ssh-options': 'ProxyCommand' },
      'ssh-options',
      /"ProxyCommand" is not Name=value/
    ],
    [{ mode: 'run', 'ssh-options': 'A=b' }, 'ssh-options', /is for mode doctor; mode is "run"/]
  ])('%j: %s is rejected', (raw, input, message) => {
    let problems: { input: string; message: string }[] = []
    try {
      parseConfig(raw, { cwd: tempDir() })
    } catch (e) {
      problems = [...(e as InputErrors).problems]
    }
    expect(problems).toContainEqual({ input, message: expect.stringMatching(message) })
  })
})

describe('path inputs are checked before anything is created', () => {
  const cases: [string, string, RegExp][] = [
    ['output-dir', '/proc/forbidden', /is under \/proc, a kernel filesystem/],
    ['output-dir', '/sys/forbidden', /is under \/sys, a kernel filesystem/],
    ['image-cache', '/dev/zjm-cache', /is under \/dev, a kernel filesystem/],
    ['write-baseline', '/proc/self/baseline.json', /is under \/proc/],
    ['baseline', '/proc/kmsg', /is under \/proc/],
    ['kubespray-path', '/sys/kernel', /is under \/sys/],
    ['kubespray-vars', '/proc/self/environ', /is under \/proc/]
  ]
  it.each(cases)('%s: %s is rejected at once, naming the input and why', (input, value, message) => {
    const started = Date.now()
    expect(problemsFor({ [input]: value })).toContainEqual(
      expect.stringMatching(new RegExp(`^${input}: "[^"]*" ${message.source}`))
    )
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('a symlink into /proc is caught by where it leads', () => {
    const dir = tempDir()
    symlinkSync('/proc', join(dir, 'p'))
    expect(problemsFor({ 'output-dir': join(dir, 'p/out') })).toEqual([
      expect.stringMatching(
        /^output-dir: ".*\/p\/out" is under \/proc, a kernel filesystem \(resolved to \/proc\/out\)/
      )
    ])
  })

  it('a directory the user cannot write in is named', () => {
    if (process.getuid?.() === 0) {
      // root writes anywhere; a read-only bind is what root cannot write, and needs mount rights:
      // the non-root case is the one users hit, checked where the tests do not run as root.
      return
    }
    const dir = tempDir()
    chmodSync(dir, 0o500)
    expect(problemsFor({ 'output-dir': join(dir, 'out') })).toEqual([
      expect.stringMatching(/^output-dir: .* cannot be written: .* is not writable by this user/)
    ])
  })
})
