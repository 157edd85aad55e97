/** `zfs-join-matrix diagnose` and `mode: diagnose` through the bundles, as a user with their own logs runs them. */
import { spawnSync } from 'node:child_process'
import { chmodSync, closeSync, cpSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { tempDir } from '../helpers.js'
import { action, fileCommands, root, runnerEnv } from './runner.js'

const logs = join(root, '__tests__/fixtures/logs')
const diag = join(root, '__tests__/fixtures/diagnose')

function diagnose(args: string[], options: { input?: string; nodeFlags?: string[] } = {}) {
  const r = spawnSync(
    process.execPath,
    [...(options.nodeFlags ?? []), join(root, 'dist/cli/index.js'), 'diagnose', ...args],
    { encoding: 'utf8', input: options.input, env: { PATH: process.env.PATH }, timeout: 5 * 60_000 }
  )
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('diagnose CLI', () => {
  it("names the chain in a user's logs, root cause first, with file:line evidence and the fix; exit 1", () => {
    const join11734 = join(logs, 'kubespray-11734-join.log')
    const r = diagnose([join(logs, 'kubelet-missing-ca.log'), join11734])
    expect(r.status).toBe(1)
    const headings = r.stdout.split('\n').filter(l => /^\d+\. /.test(l))
    expect(headings).toEqual([
      expect.stringMatching(/^1\. S1 snapshot-missing-parent: .* \[root cause\]$/),
      expect.stringMatching(/^2\. J2 apiserver-localhost-refused: .* \[symptom of S1\]$/),
      expect.stringMatching(/^3\. J3 kubelet-client-ca-missing: .* \[symptom of S1\]$/)
    ])
    expect(r.stdout).toContain(`${join11734}:3: Nov 24 21:10:01 node3 containerd[812]:`)
    expect(r.stdout).toMatch(/fix: Set `nerdctl_snapshotter: "\{\{ containerd_snapshotter \}\}"`/)
    expect(r.stdout).toMatch(/kubespray variables: nerdctl_snapshotter, nerdctl_image_pull_command/)
  })

  it('exit 0 and says so when nothing is found; unmatched errors are still listed', () => {
    const r = diagnose([join(diag, 'kubeadm-join-remote-refused.log')])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/No known signature found\./)
    expect(r.stdout).toMatch(
      /Errors no signature names \(1 distinct\):\n.*kubeadm-join-remote-refused\.log:4: /
    )
  })

  it("a real cluster.yml whose failure kubespray hid (no_log) names nothing and lists the failed task's line", () => {
    // The join tier's capture: the runc download failed with no route out, its reason censored by no_log.
    const file = join(logs, 'kubespray-2.23.3-cluster-download-no-route.log')
    const r = diagnose([file])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/No known signature found\./)
    expect(r.stdout).toMatch(
      new RegExp(
        `Errors no signature names \\(\\d+ distinct\\):\n(.*\n)*.*${file.replace(/[.]/g, '\\.')}:\\d+: fatal: \\[cp-debian-12 `
      )
    )
  })

  it('--format json and markdown say the same; standard input as -', () => {
    const input = readFileSync(join(diag, 'nerdctl-pull-dns.log'), 'utf8')
    const json = diagnose(['--format', 'json', '-'], { input })
    expect(json.status).toBe(1)
    const parsed = JSON.parse(json.stdout) as { logs: unknown[]; findings: { id: string; role: string }[] }
    expect(parsed.logs).toEqual([{ file: '(stdin)', kind: 'image-tool', units: [], lines: 3 }])
    expect(parsed.findings.map(f => [f.id, f.role])).toEqual([['pull-network-unreachable', 'root cause']])
    const md = diagnose(['--format=markdown', '-'], { input })
    expect(md.stdout).toMatch(/^## zfs-join-matrix diagnose\n/)
    expect(md.stdout).toMatch(/### 1\. N1 the node cannot reach the registry or download site \(root cause\)/)
    expect(md.stdout).toMatch(/```\n\(stdin\):3: FATA\[0000\] failed to resolve reference/)
  })

  it('bad input is exit 2 with a message naming it, and nothing on stdout', () => {
    for (const [args, message] of [
      [[], /no log given/],
      [['--format', 'yaml', 'x.log'], /format: "yaml" is not one of text, json, markdown/],
      [['--since', '1h', 'x.log'], /"--since" is not a flag of diagnose/],
      [['/nonexistent/scale.log'], /\/nonexistent\/scale\.log does not exist/],
      [[process.execPath], /is binary, not a text log/]
    ] as const) {
      const r = diagnose([...args])
      expect({ args, status: r.status, stdout: r.stdout }).toEqual({ args, status: 2, stdout: '' })
      expect(r.stderr).toMatch(message)
    }
    const piped = diagnose(['-'], {
      input: readFileSync(process.execPath).subarray(0, 4096).toString('latin1')
    })
    expect(piped.status).toBe(2)
    expect(piped.stderr).toMatch(/- \(standard input\) is binary, not a text log/)
  })

  it('a log its reader may not read is exit 2 naming it (run as another user, since root reads everything)', () => {
    if (process.getuid?.() !== 0) return // only root can become another user here
    const dir = tempDir()
    const file = join(dir, 'scale.log')
    cpSync(join(logs, 'kubespray-11734-join.log'), file)
    chmodSync(file, 0o600)
    chmodSync(dir, 0o755)
    const r = spawnSync(
      '/usr/bin/setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        join(root, 'dist/cli/index.js')
      ].concat(['diagnose', file]),
      { encoding: 'utf8', env: { PATH: process.env.PATH } }
    )
    expect(r.stderr).toContain(`${file} cannot be read (permission denied)`)
    expect(r.status).toBe(2)
  })

  it(
    'streams a log of hundreds of megabytes in bounded memory (a 48 MB heap)',
    () => {
      const file = join(tempDir(), 'huge.log')
      const fd = openSync(file, 'w')
      const line =
        'Dec 02 00:03:06 node containerd[850]: time="2026-12-02T00:03:06Z" level=info msg="event forwarded" ns=k8s.io topic=/tasks/exit\n'
      const block = line.repeat(8192)
      // ~300 MB, then the one line that matters, then one line of 10 MB without a line break.
      for (let i = 0; i < 300; i++) writeSync(fd, block)
      writeSync(
        fd,
        'Dec 02 00:03:07 node kubelet[9]: E1202 run.go:72] "command failed" err="unable to load client CA file /etc/kubernetes/ssl/ca.crt: open /etc/kubernetes/ssl/ca.crt: no such file or directory"\n'
      )
      writeSync(fd, 'x'.repeat(10 * 1024 * 1024))
      closeSync(fd)
      const r = diagnose(['--format', 'json', file], { nodeFlags: ['--max-old-space-size=48'] })
      expect(r.stderr).toBe('')
      expect(r.status).toBe(1)
      const parsed = JSON.parse(r.stdout) as { logs: { lines: number }[]; findings: { id: string }[] }
      expect(parsed.logs[0]!.lines).toBe(300 * 8192 + 2)
      expect(parsed.findings.map(f => f.id)).toEqual(['kubelet-client-ca-missing'])
    },
    5 * 60_000
  )
})

describe('action, mode diagnose', () => {
  it("reads a failed deploy's logs by glob: job summary, diagnosis.json, annotations, outputs; fails the step", () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'runner-temp'))
    mkdirSync(join(dir, 'deploy-logs/node3'), { recursive: true })
    cpSync(join(logs, 'kubespray-11734-join.log'), join(dir, 'deploy-logs/scale.log'))
    cpSync(join(logs, 'kubelet-missing-ca.log'), join(dir, 'deploy-logs/node3/kubelet.log'))
    const env = runnerEnv(dir, { mode: 'diagnose', logs: 'deploy-logs/**/*.log' })
    const r = action('dist/index.js', env, dir)
    expect(r.status).toBe(1)
    // Annotations on the evidence lines, by the file's path in the workspace.
    expect(r.stdout).toContain(
      '::error title=S1 image unpacked into another snapshotter than the one in use,file=deploy-logs/scale.log,line=3::Root cause: '
    )
    expect(r.stdout).toContain(
      '::warning title=J3 kubelet fails on a missing /etc/kubernetes/ssl/ca.crt,file=deploy-logs/node3/kubelet.log,line=1::Symptom: '
    )
    expect(r.stdout).toMatch(
      /::error::diagnose: 3 signature\(s\) found, root cause S1 snapshot-missing-parent/
    )
    const out = fileCommands(join(dir, 'output'))
    expect(out.signatures).toBe(
      'snapshot-missing-parent,apiserver-localhost-refused,kubelet-client-ca-missing'
    )
    const json = JSON.parse(readFileSync(out['diagnosis-json']!, 'utf8')) as { logs: { file: string }[] }
    expect(json.logs.map(l => l.file)).toEqual([
      join(dir, 'deploy-logs/node3/kubelet.log'),
      join(dir, 'deploy-logs/scale.log')
    ])
    expect(readFileSync(join(dir, 'summary'), 'utf8')).toMatch(/### 1\. S1 .*\(root cause\)/)
  })

  it('a glob that matches nothing, or logs outside mode diagnose, is an input error before anything runs', () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'runner-temp'))
    const none = action('dist/index.js', runnerEnv(dir, { mode: 'diagnose', logs: 'nowhere/*.log' }), dir)
    expect(none.status).toBe(1)
    expect(none.stdout).toContain(`::error::logs: "${join(dir, 'nowhere/*.log')}" matches no file`)
    const empty = action('dist/index.js', runnerEnv(dir, { mode: 'diagnose' }), dir)
    expect(empty.stdout).toMatch(/logs: is empty; mode diagnose reads the logs it names/)
    const misplaced = action('dist/index.js', runnerEnv(dir, { mode: 'plan', logs: 'a.log' }), dir)
    expect(misplaced.stdout).toMatch(/logs: is for mode diagnose; mode is "plan"/)
  })
})
