/**
 * `npm run bench:diagnose`: `diagnose` over a generated journal of 1 GB (containerd and kubelet lines as
 * `journalctl -o short` prints them, a chain of signature lines among them), through the bundled CLI as a
 * user runs it: MB/s and peak memory, beside `grep -c` reading the same file in the same run (the
 * floor for reading it at all). Writes bench/out/diagnose.json.
 * Usage: tsx bench/diagnose.ts [--mb 1024]
 */
import { spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { flag, machine, round, writeResult } from './bench-kit.js'

const root = resolve(import.meta.dirname, '..')
const targetMb = Number(flag('mb') ?? 1024)

const ordinary = [
  'Dec 02 10:00:00 node3 containerd[812]: time="2026-12-02T10:00:00.000000000Z" level=info msg="ImageCreate event name:\\"registry.k8s.io/pause:3.10\\" labels:{key:\\"io.cri-containerd.image\\" value:\\"managed\\"}"',
  'Dec 02 10:00:00 node3 kubelet[1402]: I1202 10:00:00.000000    1402 kubelet_node_status.go:75] "Attempting to register node" node="node3"',
  'Dec 02 10:00:00 node3 containerd[812]: time="2026-12-02T10:00:00.000000000Z" level=info msg="StartContainer for \\"4f1c0d2e9b\\" returns successfully"',
  'Dec 02 10:00:00 node3 kubelet[1402]: E1202 10:00:00.000000    1402 pod_workers.go:1301] "Error syncing pod, skipping" err="failed to \\"StartContainer\\" for \\"app\\" with CrashLoopBackOff" pod="default/app-1"'
]
const chain = [
  'Dec 02 10:00:01 node3 containerd[812]: time="2026-12-02T10:00:01.000000000Z" level=error msg="PullImage \\"registry.k8s.io/nginx:1.27\\" failed" error="failed to prepare extraction snapshot \\"extract-1\\": missing parent \\"k8s.io/1/sha256:aa\\" bucket: not found"',
  'Dec 02 10:00:02 node3 kubelet[1402]: E1202 10:00:02.000000    1402 run.go:72] "command failed" err="failed to construct kubelet dependencies: unable to load client CA file /etc/kubernetes/ssl/ca.crt: open /etc/kubernetes/ssl/ca.crt: no such file or directory"'
]

function generate(path: string): number {
  const block = `${Array.from({ length: 4000 }, (_, i) => ordinary[i % ordinary.length]).join('\n')}\n`
  const fd = openSync(path, 'w')
  let written = 0
  let blocks = 0
  while (written < targetMb * 2 ** 20) {
    written += writeSync(fd, blocks % 50 === 25 ? `${chain.join('\n')}\n` : block)
    blocks++
  }
  closeSync(fd)
  return statSync(path).size
}

function timed(program: string, args: readonly string[]) {
  const started = process.hrtime.bigint()
  const r = spawnSync(program, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const rss = /ZJM_MAX_RSS_KB (\d+)/.exec(r.stderr)
  return {
    status: r.status,
    seconds,
    maxRssMb: rss === null ? null : Number(rss[1]) / 1024,
    stdout: r.stdout
  }
}

const dir = mkdtempSync(join(tmpdir(), 'zjm-bench-diagnose-'))
try {
  // Preloaded into the CLI: its own peak resident memory, printed as it exits, not the benchmark's.
  const rssReporter = join(dir, 'report-rss.cjs')
  writeFileSync(
    rssReporter,
    "process.on('exit', () => require('node:fs').writeSync(2, `\\nZJM_MAX_RSS_KB ${process.resourceUsage().maxRSS}\\n`))\n"
  )
  const journal = join(dir, 'journal.log')
  const bytes = generate(journal)
  const mb = bytes / 2 ** 20
  const diagnose = timed(process.execPath, [
    '--require',
    rssReporter,
    join(root, 'dist/cli/index.js'),
    'diagnose',
    '--format',
    'json',
    journal
  ])
  const found = (JSON.parse(diagnose.stdout) as { findings: { id: string }[] }).findings.map(f => f.id)
  const grep = timed('grep', ['-c', 'missing parent', journal])
  writeResult('diagnose', {
    ...machine(),
    journal: { mb: round(mb), lines_kind: 'journalctl -o short, containerd and kubelet' },
    diagnose: {
      exit: diagnose.status,
      found,
      seconds: round(diagnose.seconds),
      mb_per_second: round(mb / diagnose.seconds),
      peak_rss_mb: diagnose.maxRssMb === null ? null : round(diagnose.maxRssMb)
    },
    grep_c: { seconds: round(grep.seconds), mb_per_second: round(mb / grep.seconds) }
  })
} finally {
  rmSync(dir, { recursive: true, force: true })
}
