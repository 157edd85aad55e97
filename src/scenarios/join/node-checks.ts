import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cmd } from '../../exec/command.js'
import type { Evidence } from '../../diagnose/classify.js'
import { SNAPSHOTTERS } from '../../plan/axes.js'
import type { Node } from '../../providers/provider.js'
import type { Verdict } from '../scenario.js'
import { errorMessage } from '../../text/error-message.js'

/** Where kubespray installs kubelet and kubectl (`bin_dir`). */
const BIN_DIR = '/usr/local/bin'
const ADMIN_CONF = '/etc/kubernetes/admin.conf'
/** kubelet starts static pods within a minute of a join under TCG; nginx-proxy's image is already pulled. */
const NGINX_PROXY_WAIT_S = 120
const READY_WAIT_S = 180

function sh(node: Node, script: string, signal: AbortSignal, timeoutMs = 60_000) {
  return node.exec(cmd('sh', '-c', script), { signal, timeoutMs })
}

/**
 * After a successful scale.yml: is kubelet there at all (a checkout that installs no Kubernetes, like
 * a test fixture, cannot be checked), does nginx-proxy run on the worker (kubelet made the static pod
 * through the CRI), and does the control plane see the node Ready.
 */
export async function checkJoined(
  cp: Node,
  worker: Node,
  workerName: string,
  signal: AbortSignal
): Promise<Verdict> {
  const kubelet = await sh(worker, `test -x ${BIN_DIR}/kubelet`, signal)
  if (kubelet.exitCode !== 0) {
    return {
      kind: 'error',
      message: `scale.yml succeeded but left no ${BIN_DIR}/kubelet on ${workerName}: this checkout installs no Kubernetes, so the join cannot be checked`,
      evidence: []
    }
  }
  const proxy = await sh(
    worker,
    nginxProxyScript(NGINX_PROXY_WAIT_S),
    signal,
    (NGINX_PROXY_WAIT_S + 30) * 1000
  )
  if (!proxy.stdout.includes('nginx-proxy running')) {
    return {
      kind: 'fail',
      message: `no running nginx-proxy container on ${workerName} after ${NGINX_PROXY_WAIT_S}s`,
      evidence: [{ source: 'nginx-proxy', text: `${proxy.stdout}\n${proxy.stderr}` }]
    }
  }
  const ready = await sh(cp, readyScript(workerName, READY_WAIT_S), signal, (READY_WAIT_S + 30) * 1000)
  if (ready.exitCode === 3) {
    return {
      kind: 'error',
      message: `the control plane has no ${BIN_DIR}/kubectl to check ${workerName}`,
      evidence: []
    }
  }
  if (ready.exitCode !== 0) {
    return {
      kind: 'fail',
      message: `node ${workerName} is not Ready after ${READY_WAIT_S}s: ${ready.stdout.trim().split('\n').at(-1) ?? ''}`,
      evidence: [{ source: 'kubectl', text: `${ready.stdout}\n${ready.stderr}` }]
    }
  }
  return { kind: 'pass' }
}

/** Polls containerd for a running container kubelet labelled nginx-proxy (ctr ships with containerd). */
function nginxProxyScript(waitSeconds: number): string {
  return `for i in $(seq ${waitSeconds / 5}); do
  for id in $(ctr -n k8s.io containers ls -q 'labels."io.kubernetes.container.name"==nginx-proxy' 2>/dev/null); do
    if ctr -n k8s.io tasks ls 2>/dev/null | awk -v id="$id" '$1 == id && $3 == "RUNNING" {found=1} END {exit !found}'; then
      echo "nginx-proxy running: $id"; exit 0
    fi
  done
  sleep 5
done
echo "no running nginx-proxy container"
ctr -n k8s.io containers ls 2>&1 | head -n 40
ctr -n k8s.io tasks ls 2>&1 | head -n 40`
}

function readyScript(name: string, waitSeconds: number): string {
  const kubectl = `${BIN_DIR}/kubectl --kubeconfig ${ADMIN_CONF}`
  return `test -x ${BIN_DIR}/kubectl || exit 3
for i in $(seq ${waitSeconds / 5}); do
  s=$(${kubectl} get node ${name} -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>&1)
  [ "$s" = True ] && exit 0
  sleep 5
done
${kubectl} get node ${name} -o wide 2>&1
${kubectl} get node ${name} -o jsonpath='{range .status.conditions[*]}{.type}={.status} {.message}{"\\n"}{end}' 2>&1
exit 1`
}

/** What is kept of a worker, whatever happened: journals, kernel log, rendered configs, snapshots. */
const COLLECTED: readonly { file: string; script: string; evidence: boolean }[] = [
  {
    file: 'kubelet.log',
    script: 'journalctl --no-pager -o short-precise -u kubelet 2>&1 | tail -n 3000',
    evidence: true
  },
  {
    file: 'containerd.log',
    script: 'journalctl --no-pager -o short-precise -u containerd 2>&1 | tail -n 3000',
    evidence: true
  },
  { file: 'kernel.log', script: 'dmesg 2>&1 | tail -n 2000', evidence: true },
  {
    file: 'node-config.txt',
    script:
      'for f in /etc/containerd/config.toml /etc/nerdctl/nerdctl.toml /etc/crictl.yaml; do echo "== $f"; cat "$f" 2>&1; done; echo "== certs.d"; find /etc/containerd/certs.d -type f 2>&1',
    evidence: false
  },
  {
    file: 'snapshots.txt',
    script: `${SNAPSHOTTERS.map(s => `echo "== ${s}"; ctr -n k8s.io snapshots --snapshotter ${s} ls 2>&1`).join('; ')}; echo "== images"; ctr -n k8s.io images ls 2>&1`,
    evidence: false
  }
]

/** Writes the worker's logs into `logDir`; returns their paths and the ones diagnosis reads. */
export async function collectWorker(
  worker: Node,
  logDir: string,
  signal: AbortSignal
): Promise<{ logs: string[]; evidence: Evidence[] }> {
  const logs: string[] = []
  const evidence: Evidence[] = []
  for (const item of COLLECTED) {
    const r = await sh(worker, item.script, signal).catch((e: unknown) => ({
      stdout: '',
      stderr: `could not collect: ${errorMessage(e)}`
    }))
    const path = join(logDir, item.file)
    writeFileSync(path, `${r.stdout}${r.stderr}`)
    logs.push(path)
    if (item.evidence) evidence.push({ source: item.file.replace(/\.log$/, ''), text: r.stdout })
  }
  return { logs, evidence }
}

/** Frees the worker's node name on the control plane, so the next cell's join starts clean. */
export async function forgetNode(cp: Node, name: string, signal: AbortSignal): Promise<void> {
  await sh(
    cp,
    `test -x ${BIN_DIR}/kubectl || exit 0; ${BIN_DIR}/kubectl --kubeconfig ${ADMIN_CONF} delete node ${name} --ignore-not-found --wait=false`,
    signal
  ).catch(() => undefined)
}
