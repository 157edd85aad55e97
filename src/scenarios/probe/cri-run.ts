import { randomBytes } from 'node:crypto'
import { cmd } from '../../exec/command.js'
import type { Verdict } from '../scenario.js'
import { CONTAINER_SCRIPT, containerOutput, failedChecks } from './container-check.js'
import {
  CriError,
  type ContainerStatus,
  type CriClient,
  type PodSandboxConfig
} from '../../containerd/cri-client.js'
import type { ProbeNode } from './probe-node.js'
import type { ProbeStep, Trace } from './trace.js'
import { errorMessage } from '../../text/error-message.js'

/** Where the CRI writes the probe pod's logs on the node. */
export const POD_LOG_DIR = '/var/log/zjm-pods'
const CRI_TIMEOUT_MS = 3 * 60_000
const CONTAINER_EXIT_MS = 90_000

export type StepResult = { kind: 'ok' } | { kind: 'failed'; verdict: Verdict }

/** The container's own checks, as its log tells them: the verdict of a container that ran. */
async function containerVerdict(
  env: ProbeNode,
  trace: Trace,
  status: ContainerStatus,
  logPath: string,
  signal: AbortSignal
): Promise<StepResult> {
  const log = await env.node.exec(cmd('cat', logPath), { signal })
  const output = containerOutput(log.stdout)
  trace.write('container.log', output)
  const failed = failedChecks(output)
  if (status.state !== 'CONTAINER_EXITED') {
    return {
      kind: 'failed',
      verdict: {
        kind: 'fail',
        message: `the container did not exit within ${CONTAINER_EXIT_MS / 1000}s (${status.state})`,
        evidence: [{ source: 'container', text: output }]
      }
    }
  }
  const first = failed[0]
  if (first === undefined) return { kind: 'ok' }
  return {
    kind: 'failed',
    verdict: {
      kind: 'fail',
      message: `in the container, ${first.what} failed: ${firstComplaint(output)}`,
      evidence: [
        { source: 'container', text: output },
        { source: 'kernel', text: await trace.kernelLines(env.node, signal) }
      ]
    }
  }
}

/** What kubelet does for a pod with one container, then the container's verdict on the checks. */
export async function runThroughCri(
  env: ProbeNode,
  cri: CriClient,
  trace: Trace,
  signal: AbortSignal
): Promise<StepResult> {
  const uid = randomBytes(6).toString('hex')
  const sandbox: PodSandboxConfig = {
    metadata: { name: 'zjm-probe', uid, namespace: 'zjm', attempt: 0 },
    log_directory: `${POD_LOG_DIR}/${uid}`,
    linux: { security_context: { namespace_options: { network: 'NODE' } } }
  }
  let sandboxId: string | undefined
  try {
    const step = async <T>(name: string, timed: ProbeStep, call: () => Promise<T>): Promise<T> => {
      try {
        const value = await trace.time(timed, call)
        trace.note('cri', `${name}: ok`)
        return value
      } catch (e) {
        trace.note('cri', `${name}: ${errorMessage(e)}`)
        throw e
      }
    }
    sandboxId = await step('RunPodSandbox', 'sandbox', () => cri.runPodSandbox(sandbox, CRI_TIMEOUT_MS))
    const id = sandboxId
    const containerId = await step('CreateContainer', 'create', () =>
      cri.createContainer(
        id,
        {
          metadata: { name: 'probe', attempt: 0 },
          image: { image: env.probeImage.reference },
          command: ['/bin/sh', '-c', CONTAINER_SCRIPT],
          log_path: 'probe.log'
        },
        sandbox,
        CRI_TIMEOUT_MS
      )
    )
    await step('StartContainer', 'start', () => cri.startContainer(containerId, CRI_TIMEOUT_MS))
    const status = await trace.time('exit', () => waitForExit(cri, containerId, signal))
    trace.note('cri', `container ${status.state} exit ${status.exit_code} ${status.reason} ${status.message}`)
    return await containerVerdict(env, trace, status, `${POD_LOG_DIR}/${uid}/probe.log`, signal)
  } catch (e) {
    if (!(e instanceof CriError)) throw e
    // The CRI refusing to create or start the container is the node failing (overlayfs mount on 2.0).
    return {
      kind: 'failed',
      verdict: {
        kind: 'fail',
        message: e.message,
        evidence: [
          { source: 'cri', text: e.message },
          { source: 'kernel', text: await trace.kernelLines(env.node, signal) }
        ]
      }
    }
  } finally {
    if (sandboxId !== undefined) {
      const id = sandboxId
      await cri.stopPodSandbox(id).catch((e: Error) => trace.note('cri', `StopPodSandbox: ${e.message}`))
      await cri.removePodSandbox(id).catch((e: Error) => trace.note('cri', `RemovePodSandbox: ${e.message}`))
    }
  }
}

async function waitForExit(
  cri: CriClient,
  containerId: string,
  signal: AbortSignal
): Promise<ContainerStatus> {
  const deadline = Date.now() + CONTAINER_EXIT_MS
  for (;;) {
    const status = await cri.containerStatus(containerId)
    if (status.state === 'CONTAINER_EXITED' || Date.now() > deadline || signal.aborted) return status
    await new Promise(r => setTimeout(r, 100))
  }
}

/** The container's first line that is not one of our markers: what busybox said went wrong. */
function firstComplaint(output: string): string {
  return (
    output
      .split('\n')
      .map(l => l.trim())
      .find(l => l !== '' && !l.startsWith('ZJM-')) ?? '(no message)'
  )
}
