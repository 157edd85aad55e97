import { posix } from 'node:path'
import { CONTAINERD_SOCKET } from '../../containerd/node-paths.js'
import { shellQuote } from '../../exec/command.js'
import { POD_LOG_DIR } from './cri-run.js'
import type { NodeFile } from './node-config.js'

const CONTAINERD_READY_S = 60

/** Writes the cell's configuration, starts containerd and waits until it answers. */
export function startContainerdScript(files: readonly NodeFile[]): string {
  // Byte for byte, through base64: a rendered file may end without a newline (cri-base.json does).
  const writes = files.map(
    f =>
      `mkdir -p ${shellQuote(posix.dirname(f.path))}\necho ${Buffer.from(f.content).toString('base64')} | base64 -d > ${shellQuote(f.path)}`
  )
  return [
    'set -eu',
    `rm -rf /etc/containerd/certs.d /etc/containerd/config.toml /etc/nerdctl /etc/crictl.yaml ${POD_LOG_DIR}`,
    ...writes,
    'echo "since_uptime=$(cut -d" " -f1 /proc/uptime)"',
    'echo "since_epoch=$(date +%s)"',
    // The unit is Type=notify: started means serving. The socket check covers a unit that is not; the
    // host's CRI connection that follows is the real proof (and a ctr here would cost 0.4 s a cell).
    `systemctl start containerd.service || { journalctl -u containerd -n 40 --no-pager >&2; exit 1; }`,
    `i=0; until [ -S ${CONTAINERD_SOCKET} ]; do i=$((i+1)); [ $i -lt ${CONTAINERD_READY_S * 10} ] || { journalctl -u containerd -n 40 --no-pager >&2; exit 1; }; sleep 0.1; done`
  ].join('\n')
}
