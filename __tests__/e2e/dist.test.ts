/**
 * Runs the bundled entry points the way users do: `node dist/cli/index.js …` and, for the action,
 * `node dist/index.js` with INPUT_* variables and the runner's file commands, as the runner starts it.
 */
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, it } from '@jest/globals'
import { tempDir } from '../helpers.js'
import { action, fileCommands, root, runnerEnv } from './runner.js'
const fixtures = join(root, '__tests__/fixtures')

beforeAll(() => {
  for (const entry of ['dist/index.js', 'dist/post/index.js', 'dist/cli/index.js']) {
    if (!existsSync(join(root, entry))) throw new Error(`${entry} is missing: run 'npm run build' first`)
  }
})

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [join(root, 'dist/cli/index.js'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env }
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Where `name` is on this host's PATH. */
function which(name: string): string {
  const found = (process.env.PATH ?? '')
    .split(':')
    .map(d => join(d, name))
    .find(p => existsSync(p))
  if (found === undefined) throw new Error(`${name} is not on PATH`)
  return found
}

describe('CLI', () => {
  it('plan prints the strategy.matrix JSON on stdout and writes plan.json', () => {
    const dir = tempDir()
    const r = cli(['plan', '--images', 'debian-11,debian-13', '--exclude', '*/native/*'], dir)
    expect(r.status).toBe(0)
    const matrix = JSON.parse(r.stdout) as { include: { shard: string; name: string; cells: string }[] }
    // 2 snapshotters × 3 tools × 2 variants per image.
    expect(matrix.include.map(j => [j.shard, j.name, j.cells.split(' ').length])).toEqual([
      ['1/2', 'debian-11', 12],
      ['2/2', 'debian-13', 12]
    ])
    const ids = matrix.include.flatMap(j => j.cells.split(' '))
    expect(ids.filter(id => id.includes('/native/'))).toEqual([])
    expect(ids.slice(0, 7)).toEqual([
      'debian-11/overlayfs/nerdctl/kubespray',
      'debian-11/overlayfs/crictl/kubespray',
      'debian-11/overlayfs/ctr/kubespray',
      'debian-11/zfs/nerdctl/kubespray',
      'debian-11/zfs/crictl/kubespray',
      'debian-11/zfs/ctr/kubespray',
      'debian-11/overlayfs/nerdctl/fixed'
    ])
    expect(JSON.parse(readFileSync(join(dir, 'zfs-join-results/plan.json'), 'utf8'))).toEqual(matrix)
  })

  it('report merges shard results, renders the matrix and fails on a regression against the baseline', () => {
    const dir = tempDir()
    cpSync(join(fixtures, 'results'), join(dir, 'zfs-join-results'), { recursive: true })
    const r = cli(
      ['report', '--images', 'debian-11,debian-12', '--baseline', join(fixtures, 'baseline.json')],
      dir
    )
    expect(r.stderr).toContain('18 cells: 11 passed (1 flaky), 6 failed, 0 errors, 1 skipped')
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('error: 1 cell passed in the baseline and fail now: debian-12/overlayfs/ctr')
    const report = readFileSync(join(dir, 'zfs-join-results/report.md'), 'utf8')
    expect(report).toMatch(/debian-11<br>kernel 5\.10\.0-32-cloud-amd64 · OpenZFS 2\.0\.3-9(\+|&#43;)deb11u1/)
    expect(report).toContain('debian-12/overlayfs/ctr')
    expect(report).toContain('❌ Z1')
    // Markup in a log excerpt stays inert: verbatim only inside a fence, escaped everywhere else.
    expect(report).toContain(
      "```\nprobe: mv: can't rename '/bin/id': Invalid argument | <b>not html</b>\n```"
    )
    expect(report.split(/```[\s\S]*?```/).join('')).not.toContain('<b>not html</b>')
    const results = JSON.parse(readFileSync(join(dir, 'zfs-join-results/results.json'), 'utf8')) as {
      cells: unknown[]
    }
    expect(results.cells).toHaveLength(18)
    const junit = readFileSync(join(dir, 'zfs-join-results/junit.xml'), 'utf8')
    expect(junit.match(/<testcase /g)).toHaveLength(18)
  })

  it('report with no baseline and fail-on failures fails; with fail-on never it passes', () => {
    const dir = tempDir()
    cpSync(join(fixtures, 'results'), join(dir, 'zfs-join-results'), { recursive: true })
    expect(cli(['report', '--images', 'debian-11,debian-12', '--fail-on', 'failures'], dir).status).toBe(1)
    expect(cli(['report', '--images', 'debian-11,debian-12', '--fail-on', 'never'], dir).status).toBe(0)
  })

  it('write-baseline writes a baseline the next run gates against: unchanged results pass the gate', () => {
    const dir = tempDir()
    cpSync(join(fixtures, 'results'), join(dir, 'zfs-join-results'), { recursive: true })
    const args = ['report', '--images', 'debian-11,debian-12']
    expect(cli([...args, '--write-baseline', 'base/zfs-join-baseline.json'], dir).status).toBe(0)
    const again = cli([...args, '--baseline', 'base/zfs-join-baseline.json'], dir)
    expect(again.status).toBe(0)
    expect(readFileSync(join(dir, 'zfs-join-results/report.md'), 'utf8')).toContain(
      'Compared with the baseline'
    )
  })

  it('report with nothing to merge says where it looked', () => {
    const dir = tempDir()
    const r = cli(['report'], dir)
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(
      `mode report found no results.jsonl or results.json under ${join(dir, 'zfs-join-results')}`
    )
  })

  /** A PATH with a shell and the few commands the run itself needs, and nothing of qemu, ssh or apt. */
  function barePath(dir: string): string {
    const bin = join(dir, 'bin')
    mkdirSync(bin)
    for (const tool of ['sh', 'uname', 'rm']) symlinkSync(which(tool), join(bin, tool))
    return bin
  }

  // debootstrap and mkfs.ext4 are also looked for in the sbin directories, so a host that has them
  // (CI does) does not list them.
  const LACKS =
    'qemu-system-x86 qemu-utils (?:debootstrap )?(?:debian-archive-keyring )?openssh-client(?: e2fsprogs)?'
  const INSTALL_LINE =
    'apt-get update -q && env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ' +
    LACKS

  it('run with runner-setup never, on a host without qemu, stops before any cell with exit 2 and the install command', () => {
    // The default tiers are lint and probe, and the probe boots VMs, so no VM can start here.
    const dir = tempDir()
    const r = cli(['run', '--runner-setup', 'never'], dir, { TMPDIR: dir, HOME: dir, PATH: barePath(dir) })
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: runner-setup: this host lacks ${LACKS} \\(for the probe tier\\(s\\)\\) and runner-setup is "never", ` +
          `so the run does not install them\\. Install them as root with \`${INSTALL_LINE}\``,
        'm'
      )
    )
    expect(r.stderr).toContain('or set runner-setup: auto to let the run install them')
    // Nothing started: no cell line, no results, nothing left in the temp dir.
    expect(r.stderr).not.toMatch(/\] \w+ \S+ … /)
    expect(existsSync(join(dir, 'zfs-join-results/results.json'))).toBe(false)
    expect(readdirSync(dir).filter(f => f.startsWith('zfs-join-matrix-'))).toEqual([])
  })

  it('run with runner-setup auto, not as root and without sudo, stops with exit 2, why, and the command', () => {
    if (process.getuid?.() !== 0) return // needs root to become another user for the run
    const dir = tempDir()
    chmodSync(dir, 0o777)
    const r = spawnSync(
      which('setpriv'),
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        join(root, 'dist/cli/index.js')
      ].concat(['run', '--images', 'debian-12']),
      { cwd: dir, encoding: 'utf8', env: { TMPDIR: dir, HOME: dir, PATH: barePath(dir) } }
    )
    expect(r.stderr).toContain(
      '"auto" cannot install them: it is not running as root and `sudo -n true` failed ('
    )
    expect(r.stderr).toMatch(new RegExp(`Install them as root with \`${INSTALL_LINE}\``))
    expect(r.status).toBe(2)
  })

  it('run on the default images with nothing testable (lint without a checkout) fails on empty, one line per reason', () => {
    const dir = tempDir()
    const r = cli(['run', '--tiers', 'lint'], dir, { TMPDIR: dir, HOME: dir, PATH: barePath(dir) })
    // Nothing was tested: fail-on-empty fails the run, one line per reason.
    expect(r.status).toBe(1)
    const results = JSON.parse(readFileSync(join(dir, 'zfs-join-results/results.json'), 'utf8')) as {
      cells: { id: string; status: string; reason: string }[]
    }
    // 4 images × 3 snapshotters × 3 tools × 2 variants.
    expect(results.cells).toHaveLength(72)
    expect(results.cells.every(c => c.status === 'skipped' && c.reason.length > 0)).toBe(true)
    expect(results.cells.map(c => c.id)).toContain('debian-12/zfs/nerdctl/kubespray')
    // The reason is printed once, at its first cell, then grouped with the count and the cells' pattern.
    expect(r.stderr).toMatch(
      /^\[1\/72\] lint \S+ … skipped 0\.\ds \(no kubespray checkout \(set kubespray-path/m
    )
    expect(r.stderr.match(/… skipped/g)).toHaveLength(1)
    expect(r.stderr).toMatch(/^lint skipped 72 cells \(\*\): no kubespray checkout \(set kubespray-path\)$/m)
    expect(r.stderr).toMatch(
      /^error: Nothing was tested: no tier passed or failed any of the 72 cells \(fail-on-empty; /m
    )
    const again = cli(['run', '--tiers', 'lint', '--fail-on-empty', 'false'], dir, { TMPDIR: dir, HOME: dir })
    expect(again.status).toBe(0)
    expect(r.stderr).not.toContain('warning:')
    expect(readdirSync(dir).filter(f => f.startsWith('zfs-join-matrix-'))).toEqual([])
  })

  it('run with --tiers lint and no kubespray checkout skips every cell with the reason', () => {
    const dir = tempDir()
    const r = cli(['run', '--tiers', 'lint', '--images', 'debian-12', '--tools', 'ctr'], dir, { TMPDIR: dir })
    expect(r.status).toBe(1)
    const results = JSON.parse(readFileSync(join(dir, 'zfs-join-results/results.json'), 'utf8')) as {
      cells: { id: string; status: string }[]
    }
    expect(results.cells.map(c => [c.id, c.status])).toEqual([
      ['debian-12/overlayfs/ctr/kubespray', 'skipped'],
      ['debian-12/zfs/ctr/kubespray', 'skipped'],
      ['debian-12/native/ctr/kubespray', 'skipped'],
      ['debian-12/overlayfs/ctr/fixed', 'skipped'],
      ['debian-12/zfs/ctr/fixed', 'skipped'],
      ['debian-12/native/ctr/fixed', 'skipped']
    ])
    expect(r.stderr).toMatch(
      /^\[1\/6\] lint debian-12\/overlayfs\/ctr\/kubespray … skipped 0\.\ds \(no kubespray checkout \(set kubespray-path/m
    )
    expect(r.stderr).toMatch(/^lint skipped 6 cells \(\*\): no kubespray checkout/m)
    expect(r.stderr).not.toMatch(/\] probe /)
  })

  it('run with --tiers lint on a kubespray checkout predicts each cell, with findings and a lint log per cell', () => {
    const dir = tempDir()
    const kubespray = resolve('__tests__/fixtures/kubespray/v2.25')
    const args = [
      '--tiers',
      'lint',
      '--images',
      'debian-12',
      '--snapshotters',
      'zfs',
      '--kubespray-path',
      kubespray
    ]
    const r = cli(['run', ...args], dir, { TMPDIR: dir })
    expect(r.status).toBe(0)
    expect(r.stderr).toContain(`lint: kubespray 2.25.0 at ${kubespray}: 3 finding(s)`)
    // The run's last lines are the matrix itself, then the counts and where the report is.
    expect(r.stderr).toMatch(
      /\n +zfs +zfs +zfs\nimage +nerdctl +crictl +ctr\ndebian-12 +\S.*\ndebian-12 · fixed +\S.*\n\ndebian-12: kernel 6\.1 · OpenZFS 2\.1 \(expected; not booted\)\n[^]*\n\n6 cells: .*\nReport: \S+report\.md\n$/
    )
    const results = JSON.parse(readFileSync(join(dir, 'zfs-join-results/results.json'), 'utf8')) as {
      cells: {
        id: string
        status: string
        signature?: string
        logs: string[]
        findings?: { path: string; level: string }[]
      }[]
    }
    expect(results.cells.map(c => [c.id, c.status, c.signature ?? '-'])).toEqual([
      ['debian-12/zfs/nerdctl/kubespray', 'fail', 'tool-snapshotter-mismatch'],
      ['debian-12/zfs/crictl/kubespray', 'pass', '-'],
      ['debian-12/zfs/ctr/kubespray', 'fail', 'tool-snapshotter-mismatch'],
      // v2.25's nerdctl cell pulls with the checkout's own ctr command: the fix adds --snapshotter to it.
      ['debian-12/zfs/nerdctl/fixed', 'pass', '-'],
      ['debian-12/zfs/crictl/fixed', 'pass', '-'],
      ['debian-12/zfs/ctr/fixed', 'pass', '-']
    ])
    const nerdctl = results.cells[0]!
    expect(nerdctl.logs).toEqual(['logs/debian-12/zfs/nerdctl/kubespray/lint/attempt-1/lint.txt'])
    expect(readFileSync(join(dir, 'zfs-join-results', nerdctl.logs[0]!), 'utf8')).toContain(
      'pull (nerdctl_image_pull_command, ctr): overlayfs   <- disagrees with the CRI'
    )
    expect(nerdctl.findings!.map(f => f.level)).toEqual(['notice', 'warning', 'warning', 'failure'])
    expect(results.cells[1]!.findings!.map(f => f.level)).toEqual(['notice', 'warning', 'warning'])
    // A lint pass is a prediction: the report shows it as a pass decided by the lint tier.
    expect(readFileSync(join(dir, 'zfs-join-results/report.md'), 'utf8')).toContain(
      'tool-snapshotter-mismatch'
    )
  })

  it('bad flags exit 2 with every problem and create nothing', () => {
    const dir = tempDir()
    const r = cli(['run', '--snapshotters', 'overlay', '--shard', '3/2'], dir)
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('error: snapshotters: "overlay" is not one of overlayfs, zfs, native')
    expect(r.stderr).toContain('error: shard: "3/2" is not of the form i/n')
    expect(readdirSync(dir)).toEqual([])
  })

  it('output-dir under /proc or /sys exits 2 within seconds, naming the input (a recursive mkdir there never returns)', () => {
    for (const value of ['/proc/forbidden', '/sys/forbidden']) {
      const dir = tempDir()
      const started = Date.now()
      const r = cli(['run', '--output-dir', value], dir)
      expect(r.status).toBe(2)
      expect(r.stderr).toContain(
        `error: output-dir: "${value}" is under ${value.slice(0, value.indexOf('/', 1))}, a kernel filesystem`
      )
      expect(Date.now() - started).toBeLessThan(10_000)
      expect(readdirSync(dir)).toEqual([])
    }
  })
})

describe('action (node dist/index.js as the runner starts it)', () => {
  it('plan mode sets the matrix output and saves the cleanup state', () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'runner-temp'))
    const env = runnerEnv(dir, {
      mode: 'plan',
      images: 'debian-12',
      tools: 'ctr',
      'github-token': 'ghs_secret123'
    })
    const r = action('dist/index.js', env, dir)
    expect(r.status).toBe(0)
    const outputs = fileCommands(join(dir, 'output'))
    expect(JSON.parse(outputs.matrix!)).toEqual({
      include: [
        {
          shard: '1/1',
          name: 'debian-12',
          cells: [
            'debian-12/overlayfs/ctr/kubespray',
            'debian-12/zfs/ctr/kubespray',
            'debian-12/native/ctr/kubespray',
            'debian-12/overlayfs/ctr/fixed',
            'debian-12/zfs/ctr/fixed',
            'debian-12/native/ctr/fixed'
          ].join(' ')
        }
      ]
    })
    expect(outputs.cells).toBe('6')
    expect(r.stdout).toContain('::add-mask::ghs_secret123')
    expect(r.stdout.replace('::add-mask::ghs_secret123', '')).not.toContain('ghs_secret123')
    expect(fileCommands(join(dir, 'state'))['cleanup-ledger']).toContain(join(dir, 'runner-temp'))
  })

  it('a bad input fails the step with an annotation per problem and starts nothing', () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'runner-temp'))
    const env = runnerEnv(dir, { snapshotters: 'overlay', retries: '-1', 'cell-timeout': 'soon' })
    const r = action('dist/index.js', env, dir)
    expect(r.status).toBe(1)
    expect(r.stdout).toContain(
      '::error title=Invalid input%3A snapshotters::snapshotters: "overlay" is not one of overlayfs, zfs, native'
    )
    expect(r.stdout).toContain('::error title=Invalid input%3A retries::')
    expect(r.stdout).toContain('::error title=Invalid input%3A cell-timeout::')
    expect(r.stdout).toContain('::error::3 invalid inputs')
    expect(readdirSync(dir).sort()).toEqual(['output', 'runner-temp', 'state', 'summary'])
    expect(readdirSync(join(dir, 'runner-temp'))).toEqual([])
  })

  it('a token holding a line break is rejected unshown, each of its lines masked before anything prints', () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'runner-temp'))
    const lines = ['ghp_abcdefghijklmnop', '::set-output name=x::y']
    const env = runnerEnv(dir, { mode: 'plan', 'github-token': lines.join('\n') })
    const r = action('dist/index.js', env, dir)
    expect(r.status).toBe(1)
    const out = r.stdout.split('\n')
    const masks = out.filter(l => l.startsWith('::add-mask::'))
    // The whole value (escaped as a command's data) and each line, before any other line.
    expect(masks).toEqual([
      '::add-mask::ghp_abcdefghijklmnop%0A::set-output name=x::y',
      ...lines.map(l => `::add-mask::${l}`)
    ])
    expect(out.findIndex(l => !l.startsWith('::add-mask::'))).toBe(masks.length)
    expect(r.stdout).toContain(
      '::error title=Invalid input%3A github-token::github-token: holds a line break'
    )
    for (const l of out.filter(l => !l.startsWith('::add-mask::'))) {
      for (const secret of lines) expect(l).not.toContain(secret)
    }
    for (const f of ['output', 'summary', 'state']) {
      const text = readFileSync(join(dir, f), 'utf8')
      for (const secret of lines) expect(text).not.toContain(secret)
    }
  })

  it('run mode writes the job summary and outputs, and the post step sweeps what main left', () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'runner-temp'))
    // The lint tier only: the probe tier would boot a VM.
    const env = runnerEnv(dir, { images: 'debian-12', include: 'debian-12/zfs/*', tiers: 'lint' })
    const r = action('dist/index.js', env, dir)
    // Every cell skipped (no checkout): nothing was tested, so the step fails, saying why.
    expect(r.status).toBe(1)
    expect(r.stdout).toContain(
      '::error::Nothing was tested: no tier passed or failed any of the 6 cells (fail-on-empty; set it to false to allow such a run).%0Alint skipped 6 cells (*): no kubespray checkout (set kubespray-path)'
    )
    // A skip opens no log group; its reason is printed once.
    expect(r.stdout).toContain('[1/6] lint debian-12/zfs/nerdctl/kubespray … skipped')
    expect(r.stdout).not.toContain('::group::[1/6]')
    expect(r.stdout).not.toContain('[6/6] lint')
    expect(r.stdout).not.toContain('] probe ')
    expect(readFileSync(join(dir, 'summary'), 'utf8')).toContain(
      '| debian-12<br>kernel 6.1 · OpenZFS 2.1 (expected; not booted) |'
    )
    const outputs = fileCommands(join(dir, 'output'))
    expect([outputs.cells, outputs.skipped, outputs.passed, outputs.conclusion]).toEqual([
      '6',
      '6',
      '0',
      'failure'
    ])
    expect(existsSync(outputs['results-json']!)).toBe(true)
    expect(readdirSync(join(dir, 'runner-temp'))).toEqual([])

    // A main step killed before its cleanup leaves its work dir in the ledger: the post step removes it.
    const ledger = join(dir, 'runner-temp', 'zfs-join-matrix-42-zjm.ledger.json')
    const orphan = join(dir, 'runner-temp', 'zfs-join-matrix-orphan')
    mkdirSync(orphan)
    writeFileSync(ledger, JSON.stringify([{ kind: 'dir', path: orphan }]))
    const post = action('dist/post/index.js', { ...env, 'STATE_cleanup-ledger': ledger }, dir)
    expect(post.status).toBe(0)
    expect(post.stdout).toContain('Removed 1 resource(s) the main step left behind')
    expect(readdirSync(join(dir, 'runner-temp'))).toEqual([])
  })
})
