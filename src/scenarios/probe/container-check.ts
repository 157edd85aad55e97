import { PROBE_FILES } from '../../containerd/test-image.js'

/**
 * What runs inside the probe container: the whiteout of layer 2 must hide a layer-1 file, and a file
 * from a lower layer must be renamable (OpenZFS 2.1 mounts overlayfs but fails exactly this).
 * Each check prints a marker; a missing marker is a failure, whatever the exit code.
 */
export const CONTAINER_SCRIPT = [
  'echo ZJM-IN-CONTAINER',
  `if test -e ${PROBE_FILES.deleted}; then echo ZJM-WHITEOUT-BROKEN; else echo ZJM-WHITEOUT-OK; fi`,
  `mv ${PROBE_FILES.lower} ${PROBE_FILES.lower}.renamed && echo ZJM-RENAME-LOWER-OK`,
  `rm ${PROBE_FILES.upper} && echo ZJM-REMOVE-LOWER-OK`,
  'echo ZJM-WRITE > /tmp/zjm && echo ZJM-WRITE-OK'
].join('; ')

export interface ContainerCheck {
  readonly marker: string
  readonly what: string
}

export const CONTAINER_CHECKS: readonly ContainerCheck[] = [
  { marker: 'ZJM-IN-CONTAINER', what: 'the container ran' },
  { marker: 'ZJM-WHITEOUT-OK', what: `the whiteout hides ${PROBE_FILES.deleted}` },
  { marker: 'ZJM-RENAME-LOWER-OK', what: `renaming ${PROBE_FILES.lower}, a file from a lower layer` },
  { marker: 'ZJM-REMOVE-LOWER-OK', what: `removing ${PROBE_FILES.upper}, a file from an image layer` },
  { marker: 'ZJM-WRITE-OK', what: 'writing a new file' }
]

/**
 * The container's output without the CRI log prefix (`<time> stdout F `). A long line comes as `P`
 * (partial) pieces ended by an `F` piece; the pieces are joined back into one line.
 */
export function containerOutput(criLog: string): string {
  const lines: string[] = []
  let partial = ''
  for (const raw of criLog.split('\n')) {
    if (raw === '') continue
    const m = /^\S+ (?:stdout|stderr) ([FP]) (.*)$/.exec(raw)
    if (m === null) {
      lines.push(partial + raw)
      partial = ''
    } else if (m[1] === 'P') {
      partial += m[2]
    } else {
      lines.push(partial + m[2])
      partial = ''
    }
  }
  if (partial !== '') lines.push(partial)
  return lines.join('\n')
}

/** The checks whose marker is missing from the output. */
export function failedChecks(output: string): ContainerCheck[] {
  const lines = new Set(output.split('\n').map(l => l.trim()))
  return CONTAINER_CHECKS.filter(c => !lines.has(c.marker))
}
