import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { AptIndex } from '../../src/images/apt-index.js'
import { DEBIAN_KEYRING } from '../../src/images/cache.js'
import { MIRROR } from './vm-env.js'

/** The files a `probe-binaries: checkout` run fetches, served by a real HTTP server on 127.0.0.1. */
export interface PinnedServer {
  /** kubespray-vars pointing the checkout's downloads at the server, with the files' own checksums. */
  readonly vars: Record<string, string>
  readonly containerdVersion: string
  stop(): void
}

function sh(command: string, cwd: string): string {
  const r = spawnSync('sh', ['-c', command], { cwd, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${command}: ${r.stderr}`)
  return r.stdout
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

/**
 * Release-shaped archives of bookworm's containerd and runc (what the test pins instead of GitHub's
 * releases, which are out of reach here), and stand-in nerdctl and crictl archives (the test's cells
 * pull with ctr), served over plain HTTP by a python3 process of its own.
 */
export function servePinned(dir: string): PinnedServer {
  const apt = new AptIndex(join(dir, 'apt'), [`deb ${MIRROR} bookworm main`], DEBIAN_KEYRING)
  apt.prepare()
  const run = (c: { program: string; args: readonly string[]; cwd?: string }) => {
    const r = spawnSync(c.program, [...c.args], { cwd: c.cwd ?? dir, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`${c.program}: ${r.stderr}`)
  }
  run(apt.updateCommand())
  const debs = join(dir, 'debs')
  mkdirSync(debs, { recursive: true })
  for (const name of ['containerd', 'runc']) run(apt.downloadCommand(name, debs))
  const deb = (name: string) => readdirSync(debs).find(f => f.startsWith(`${name}_`))!
  const version = deb('containerd').split('_')[1]!.replace(/~.*$/, '')
  const root = join(dir, 'unpacked')
  mkdirSync(root, { recursive: true })
  for (const d of readdirSync(debs)) sh(`dpkg-deb -x ${join(debs, d)} ${root}`, dir)
  const www = join(dir, 'www')
  mkdirSync(join(www, 'containerd/bin'), { recursive: true })
  sh(
    `cp ${root}/usr/bin/containerd ${root}/usr/bin/containerd-shim-runc-v2 ${root}/usr/bin/ctr ${www}/containerd/bin/`,
    dir
  )
  sh(`tar -C ${www}/containerd -czf ${www}/containerd.tar.gz bin`, dir)
  sh(`cp ${root}/usr/sbin/runc ${www}/runc.amd64`, dir)
  for (const tool of ['nerdctl', 'crictl']) {
    const stand = join(www, tool)
    writeFileSync(stand, `#!/bin/sh\necho "${tool} version 0.0.0 (the test's stand-in)"\n`)
    chmodSync(stand, 0o755)
    sh(`tar -C ${www} -czf ${www}/${tool}.tar.gz ${tool}`, dir)
  }
  const port = 20000 + Math.floor(Math.random() * 20000)
  const server: ChildProcess = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', String(port)], {
    cwd: www,
    stdio: 'ignore'
  })
  spawnSync(
    'sh',
    [
      '-c',
      `for i in $(seq 50); do (echo > /dev/tcp/127.0.0.1/${port}) 2>/dev/null && exit 0; sleep 0.1; done`
    ],
    {
      shell: '/bin/bash'
    }
  )
  const base = `http://127.0.0.1:${port}`
  const vars = {
    containerd_version: version,
    containerd_download_url: `${base}/containerd.tar.gz`,
    containerd_archive_checksum: `sha256:${sha(join(www, 'containerd.tar.gz'))}`,
    runc_download_url: `${base}/runc.amd64`,
    runc_binary_checksum: `sha256:${sha(join(www, 'runc.amd64'))}`,
    nerdctl_download_url: `${base}/nerdctl.tar.gz`,
    nerdctl_archive_checksum: `sha256:${sha(join(www, 'nerdctl.tar.gz'))}`,
    crictl_download_url: `${base}/crictl.tar.gz`,
    crictl_binary_checksum: `sha256:${sha(join(www, 'crictl.tar.gz'))}`
  }
  writeFileSync(join(dir, 'vars.yml'), stringify(vars))
  return { vars, containerdVersion: version, stop: () => server.kill() }
}
