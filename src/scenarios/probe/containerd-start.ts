import { posix } from 'node:path'
import { CONTAINERD_SOCKET } from '../../containerd/node-paths.js'
import { shellQuote } from '../../exec/command.js'
import { POD_LOG_DIR } from './cri-run.js'
import type { NodeFile } from './node-config.js'

const CONTAINERD_READY_S = 60

/**
 * Shell lines that write each file byte for byte (a rendered file may end without a newline, as
 * cri-base.json does). printf is a builtin: under TCG each process a script starts costs tenths of a
 * second, so the directories are made by one mkdir and no file costs a process.
 */
export function writeFilesScript(files: readonly NodeFile[]): string[] {
  if (files.length === 0) return []
  const dirs = [...new Set(files.map(f => posix.dirname(f.path)))]
  return [
    `mkdir -p ${dirs.map(shellQuote).join(' ')}`,
    ...files.map(f =>
      // A NUL cannot be an argument; such a file goes through base64 (one process more).
      f.content.includes('\0')
        ? `echo ${Buffer.from(f.content).toString('base64')} | base64 -d > ${shellQuote(f.path)}`
        : `printf '%s' ${shellQuote(f.content)} > ${shellQuote(f.path)}`
    )
  ]
}

/** Writes the cell's configuration, starts containerd and waits until it answers. */
export function startContainerdScript(files: readonly NodeFile[]): string {
  return [
    'set -eu',
    `rm -rf /etc/containerd/certs.d /etc/containerd/config.toml /etc/nerdctl /etc/crictl.yaml ${POD_LOG_DIR}`,
    ...writeFilesScript(files),
    'read -r since_uptime _ < /proc/uptime',
    'echo "since_uptime=$since_uptime"',
    'echo "since_epoch=$(date +%s)"',
    // The unit is Type=notify: started means serving. The socket check covers a unit that is not; the
    // host's CRI connection that follows is the real proof (and a ctr here would cost 0.4 s a cell).
    `systemctl start containerd.service || { journalctl -u containerd -n 40 --no-pager >&2; exit 1; }`,
    `i=0; until [ -S ${CONTAINERD_SOCKET} ]; do i=$((i+1)); [ $i -lt ${CONTAINERD_READY_S * 10} ] || { journalctl -u containerd -n 40 --no-pager >&2; exit 1; }; sleep 0.1; done`
  ].join('\n')
}
