import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from '@jest/globals'
import { detectKind } from '../../src/diagnose/log-kind.js'
import { lineTexts } from '../../src/diagnose/log-text.js'
import { LogInputError, MAX_LINE_CHARS, readLines } from '../../src/diagnose/read-lines.js'
import { scanLogs } from '../../src/diagnose/scan-logs.js'
import { tempDir } from '../helpers.js'

const logs = join(import.meta.dirname, '../fixtures/logs')
const diag = join(import.meta.dirname, '../fixtures/diagnose')
const noStdin = Readable.from([])
const ids = (d: Awaited<ReturnType<typeof scanLogs>>) => d.findings.map(f => f.signature.id)

describe('diagnose: kinds of logs, by content', () => {
  it.each([
    [join(logs, 'kubespray-11734-join.log'), 'ansible-playbook'],
    [join(logs, 'kubelet-missing-ca.log'), 'journal'],
    [join(logs, 'containerd-2.1-transfer-unpack-native.log'), 'journal'],
    [join(logs, 'debian-12-overlayfs-rename.log'), 'kernel'],
    [join(diag, 'containerd-journal.json'), 'journal-json'],
    [join(diag, 'kubeadm-join-remote-refused.log'), 'kubeadm'],
    [join(diag, 'nerdctl-pull-dns.log'), 'image-tool']
  ])('%s is %s', async (file, kind) => {
    const d = await scanLogs([file], noStdin)
    expect(d.logs[0]!.kind).toBe(kind)
  })

  it('a journal read with journalctl -k is a kernel log; one line of another unit makes it a journal', () => {
    const k = 'Dec 02 00:03:06 node kernel: overlayfs: upper fs does not support RENAME_WHITEOUT.'
    expect(detectKind([k])).toBe('kernel')
    expect(detectKind([k, 'Dec 02 00:03:07 node containerd[850]: time="x" level=info msg="y"'])).toBe(
      'journal'
    )
  })

  it("reads a journal's JSON MESSAGE, also when journald stored it as bytes", async () => {
    const d = await scanLogs([join(diag, 'containerd-journal.json')], noStdin)
    expect(d.logs[0]).toMatchObject({ units: ['containerd'], lines: 3 })
    expect(ids(d)).toEqual(['snapshot-missing-parent'])
    expect(d.findings[0]!.evidence[0]).toMatchObject({ line: 2, text: expect.stringMatching(/^time=/) })
    expect(d.unmatched.map(u => u.text)).toEqual(['time="2026" level=error msg="bad \ufffd"'])
  })
})

describe('diagnose: signatures and their near misses', () => {
  it('names the chain in causal order, each finding with its file:line evidence', async () => {
    const d = await scanLogs(
      [join(logs, 'kubelet-missing-ca.log'), join(logs, 'kubespray-11734-join.log')],
      noStdin
    )
    expect(ids(d)).toEqual([
      'snapshot-missing-parent',
      'apiserver-localhost-refused',
      'kubelet-client-ca-missing'
    ])
    expect(d.findings.map(f => f.explainedBy)).toEqual([
      null,
      'snapshot-missing-parent',
      'snapshot-missing-parent'
    ])
    // The refused dial sits in the stderr of the task's JSON, on the fatal line: line 2.
    expect(d.findings[1]!.evidence).toEqual([
      {
        file: join(logs, 'kubespray-11734-join.log'),
        line: 2,
        text: expect.stringMatching(/^error execution phase preflight: .*127\.0\.0\.1:6443: connect/)
      }
    ])
  })

  it("a join refused on a remote control plane's address is not the nginx-proxy symptom", async () => {
    const d = await scanLogs([join(diag, 'kubeadm-join-remote-refused.log')], noStdin)
    expect(ids(d)).toEqual([])
    expect(d.unmatched).toEqual([
      expect.objectContaining({
        line: 4,
        text: expect.stringContaining('10.0.0.10:6443: connect: connection refused')
      })
    ])
  })

  it('an image pull failing on DNS is a network failure, not a snapshotter mismatch', async () => {
    const d = await scanLogs([join(diag, 'nerdctl-pull-dns.log')], noStdin)
    expect(ids(d)).toEqual(['pull-network-unreachable'])
  })

  it("the native snapshotter's FIFO copy failure is named as such, not as a missing parent", async () => {
    const d = await scanLogs([join(diag, 'nerdctl-pull-native-fifo.log')], noStdin)
    expect(ids(d)).toEqual(['native-fifo-copy'])
  })

  it('error lines that match no signature are listed once each, never forced into one', async () => {
    const file = join(tempDir(), 'kubelet.log')
    const line = (s: number) =>
      `Dec 02 00:03:${String(s).padStart(2, '0')} node kubelet[9]: E1202 00:03:${s} 9 x.go:1] "Failed to get node" err="nodes \\"node3\\" not found"`
    writeFileSync(
      file,
      [
        line(1),
        line(2),
        line(3),
        'Dec 02 00:03:04 node kubelet[9]: I1202 00:03:04.000000 9 x.go:1] no error here'
      ].join('\n')
    )
    const d = await scanLogs([file], noStdin)
    expect(ids(d)).toEqual([])
    expect(d.unmatchedDistinct).toBe(1)
    expect(d.unmatched).toEqual([expect.objectContaining({ line: 1 })])
  })
})

describe('diagnose: real ansible-playbook output', () => {
  // Ansible itself prints the failed task (colours forced, default and -v), so the parser meets
  // Ansible's own formatting; the tool's message in it is a real containerd line.
  const play = (verbose: boolean) => {
    const dir = tempDir()
    const message =
      'failed to pull and unpack image: failed to prepare extraction snapshot "extract-512-sha256:5f70": missing parent "k8s.io/3/sha256:08000c18" bucket: not found'
    writeFileSync(
      join(dir, 'play.yml'),
      [
        '- hosts: localhost',
        '  gather_facts: false',
        '  tasks:',
        '    - name: Pull the nginx image',
        // A JSON string is a YAML double-quoted scalar: the message's own quotes stay as they are.
        `      ansible.builtin.shell: ${JSON.stringify(`echo '${message}' >&2; exit 1`)}`,
        '    - name: Never reached',
        '      ansible.builtin.debug: { msg: unreached }',
        ''
      ].join('\n')
    )
    const r = spawnSync(
      'ansible-playbook',
      ['-i', 'localhost,', '-c', 'local', ...(verbose ? ['-v'] : []), 'play.yml'],
      {
        cwd: dir,
        encoding: 'utf8',
        env: {
          ...process.env,
          ANSIBLE_FORCE_COLOR: '1',
          ANSIBLE_NOCOLOR: '',
          ANSIBLE_LOCALHOST_WARNING: 'false'
        }
      }
    )
    expect(r.status).toBe(2)
    const out = join(dir, verbose ? 'scale-v.log' : 'scale.log')
    writeFileSync(out, r.stdout)
    return { out, stdout: r.stdout }
  }

  it.each([false, true])(
    'verbose %s: the stderr in the task JSON is the evidence, at the fatal line',
    async v => {
      const { out, stdout } = play(v)
      expect(stdout).toContain('\u001b[')
      const d = await scanLogs([out], noStdin)
      expect(d.logs[0]!.kind).toBe('ansible-playbook')
      expect(ids(d)).toEqual(['snapshot-missing-parent'])
      const fatal = stdout.split('\n').findIndex(l => l.includes('FAILED!')) + 1
      expect(d.findings[0]!.evidence).toEqual([
        {
          file: out,
          line: fatal,
          text: expect.stringMatching(/^failed to pull and unpack image: .*bucket: not found$/)
        }
      ])
    }
  )
})

describe('diagnose: input', () => {
  it('a missing, a binary, a journald file and a directory are errors naming each, before any is read', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'core'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1]))
    writeFileSync(join(dir, 'system.journal'), Buffer.from('LPKSHHRH\0\0\0\0'))
    mkdirSync(join(dir, 'logs'))
    const run = scanLogs(
      [join(dir, 'nope.log'), join(dir, 'core'), join(dir, 'system.journal'), join(dir, 'logs')],
      noStdin
    )
    await expect(run).rejects.toThrow(LogInputError)
    await expect(run).rejects.toThrow(
      new RegExp(
        [
          `${dir}/nope\\.log does not exist`,
          `${dir}/core is binary`,
          `${dir}/system\\.journal is a journald file: export it first, e\\.g\\. .journalctl --file`,
          `${dir}/logs is a directory`
        ].join('.*')
      )
    )
  })

  it('an unreadable file is an error naming it', async () => {
    if (process.getuid?.() === 0) return // root reads everything; the check is for other users
    const file = join(tempDir(), 'secret.log')
    writeFileSync(file, 'x')
    chmodSync(file, 0)
    await expect(scanLogs([file], noStdin)).rejects.toThrow(`${file} cannot be read`)
  })

  it('reads gzip files as they stream, and standard input as -', async () => {
    const file = join(tempDir(), 'kubelet.log.gz')
    writeFileSync(file, gzipSync(readFileSync(join(logs, 'kubelet-missing-ca.log'), 'utf8')))
    const stdin = Readable.from([Buffer.from(readFileSync(join(diag, 'nerdctl-pull-dns.log'), 'utf8'))])
    const d = await scanLogs([file, '-'], stdin)
    expect(d.logs.map(l => [l.file, l.kind])).toEqual([
      [file, 'journal'],
      ['(stdin)', 'image-tool']
    ])
    expect(ids(d)).toEqual(['pull-network-unreachable', 'kubelet-client-ca-missing'])
  })

  it('binary text behind gzip or on standard input is refused too, naming it', async () => {
    const file = join(tempDir(), 'core.gz')
    const binary = Buffer.concat([Buffer.from('ELF'), Buffer.alloc(16), Buffer.from('\nmore\n')])
    writeFileSync(file, gzipSync(binary))
    await expect(scanLogs([file], noStdin)).rejects.toThrow(
      new LogInputError(`${file} (gzip) is binary, not a text log (it holds NUL bytes)`)
    )
    await expect(scanLogs(['-'], Readable.from([binary]))).rejects.toThrow(
      new LogInputError('- (standard input) is binary, not a text log (it holds NUL bytes)')
    )
  })

  it('cuts a line longer than the bound instead of holding it, and counts lines across chunks', async () => {
    const long = 'x'.repeat(MAX_LINE_CHARS * 3)
    const chunks = ['a\r\nb', 'c\n', long.slice(0, 1000), long.slice(1000), '\nlast']
    const lines = []
    for await (const l of readLines(Readable.from(chunks))) lines.push(l)
    expect(lines.map(l => [l.n, l.text.length])).toEqual([
      [1, 1],
      [2, 2],
      [3, MAX_LINE_CHARS],
      [4, 4]
    ])
  })
})

describe('diagnose: line texts', () => {
  it("a loop's item results each give their stderr lines", () => {
    const line =
      'failed: [n1] (item=pause) => {"results": [{"stderr": "one\\ntwo"}, {"msg": "three"}], "msg": "All items completed"}'
    expect(lineTexts('ansible-playbook', line)).toEqual([
      'failed: [n1] (item=pause) ',
      'All items completed',
      'one',
      'two',
      'three'
    ])
  })
})
