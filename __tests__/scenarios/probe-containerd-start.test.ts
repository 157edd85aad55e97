import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from '@jest/globals'
import { startContainerdScript, writeFilesScript } from '../../src/scenarios/probe/containerd-start.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** The lines run by the guest's own shell (dash on Debian, as /bin/sh is here). */
function runWrites(files: { path: string; content: string }[]): void {
  execFileSync('sh', ['-c', ['set -eu', ...writeFilesScript(files)].join('\n')])
}

describe('writeFilesScript', () => {
  it('writes every file byte for byte, whatever its content, in directories it makes', () => {
    const root = mkdtempSync(join(tmpdir(), 'zjm-writes-'))
    dirs.push(root)
    const files = [
      // A JSON file that ends without a newline, as kubespray's cri-base.json does.
      { path: join(root, 'etc/containerd/cri-base.json'), content: '{"ociVersion": "1.0.2"}' },
      {
        path: join(root, 'etc/containerd/config.toml'),
        content: "version = 2\n# it's '%s' \\n and $HOME `x` \\\\ %d\n-not an option\n\n"
      },
      { path: join(root, 'etc/containerd/certs.d/127.0.0.1:5000/hosts.toml'), content: 'server = "x"\n' },
      { path: join(root, 'etc/empty'), content: '' },
      { path: join(root, 'etc/utf8.txt'), content: 'snapshotter → zfs ✓\n' },
      { path: join(root, 'etc/nul.bin'), content: 'a\0b' }
    ]
    runWrites(files)
    for (const f of files) expect(readFileSync(f.path, 'utf8')).toBe(f.content)
  })

  it('makes each directory once and starts no process per file but for a NUL', () => {
    const lines = writeFilesScript([
      { path: '/etc/containerd/config.toml', content: 'a' },
      { path: '/etc/containerd/cri-base.json', content: 'b' },
      { path: '/etc/crictl.yaml', content: 'c' }
    ])
    expect(lines).toEqual([
      'mkdir -p /etc/containerd /etc',
      "printf '%s' a > /etc/containerd/config.toml",
      "printf '%s' b > /etc/containerd/cri-base.json",
      "printf '%s' c > /etc/crictl.yaml"
    ])
    expect(writeFilesScript([])).toEqual([])
  })
})

describe('startContainerdScript', () => {
  it('prints the journal start point the trace reads, from the shell itself', () => {
    const script = startContainerdScript([{ path: '/etc/crictl.yaml', content: 'x' }])
    // The part before systemctl is plain shell: run it against /proc here and read what it prints.
    const head = script.split('\n').filter(l => /since_|^read /.test(l))
    const out = execFileSync('sh', ['-c', head.join('\n')], { encoding: 'utf8' })
    expect(out).toMatch(/^since_uptime=\d+\.\d+\nsince_epoch=\d+\n$/)
    expect(script).toContain('systemctl start containerd.service')
  })
})
