import type { Readable } from 'node:stream'
import { LogInputError } from '../diagnose/read-lines.js'
import { scanLogs } from '../diagnose/scan-logs.js'
import { isOneOf } from '../plan/axes.js'
import { renderDiagnosis } from '../report/diagnosis-report.js'
import { DOCUMENT_FORMATS, type DocumentFormat } from '../report/document-format.js'

export interface DiagnoseIo {
  readonly stdout: NodeJS.WritableStream
  readonly stderr: NodeJS.WritableStream
  readonly stdin: Readable
}

/** diagnose's own exit statuses: a finding is what a script tests for, as grep's 0/1/2. */
export const DIAGNOSE_EXIT = { nothingFound: 0, found: 1, invalid: 2 } as const

export const DIAGNOSE_USAGE = [
  'Usage: zfs-join-matrix diagnose [--format text|json|markdown] FILE... | -',
  '',
  "Names the known ZFS/containerd/kubespray failures in a cluster's own logs: ansible-playbook output",
  '(cluster.yml, scale.yml, reset.yml, with or without -v and colours), journalctl -u containerd or',
  '-u kubelet (short or -o json), dmesg, kubeadm join output, nerdctl/ctr/crictl pull output; gzip',
  'files too. Each file is recognised by its content. - reads standard input.',
  '',
  'Prints every signature found in causal order (root cause first), each with its evidence (file:line),',
  'the root cause and the fix; error lines no signature names are listed as such.',
  'Exit status: 0 nothing found, 1 a signature found, 2 invalid input.'
].join('\n')

type Parsed =
  | { readonly kind: 'help' }
  | { readonly kind: 'run'; readonly files: readonly string[]; readonly format: DocumentFormat }
  | { readonly kind: 'invalid'; readonly problem: string }

export function parseDiagnoseArgs(argv: readonly string[]): Parsed {
  const files: string[] = []
  let format: DocumentFormat = 'text'
  let formatGiven = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--help' || arg === '-h') return { kind: 'help' }
    if (arg === '--') {
      files.push(...argv.slice(i + 1))
      break
    }
    const m = /^--format(?:=(.*))?$/s.exec(arg)
    if (m !== null) {
      const value = m[1] ?? argv[++i]
      if (value === undefined)
        return { kind: 'invalid', problem: 'format: needs a value (text, json or markdown)' }
      if (!isOneOf(DOCUMENT_FORMATS, value)) {
        return {
          kind: 'invalid',
          problem: `format: ${JSON.stringify(value)} is not one of ${DOCUMENT_FORMATS.join(', ')}`
        }
      }
      if (formatGiven) return { kind: 'invalid', problem: 'format: is given more than once' }
      format = value
      formatGiven = true
      continue
    }
    if (arg.startsWith('-') && arg !== '-') {
      return {
        kind: 'invalid',
        problem: `${JSON.stringify(arg)} is not a flag of diagnose; its only flag is --format`
      }
    }
    files.push(arg)
  }
  if (files.length === 0)
    return { kind: 'invalid', problem: 'no log given: name files, or - for standard input' }
  return { kind: 'run', files, format }
}

/** `zfs-join-matrix diagnose`: reads the logs, prints the diagnosis, returns the exit status. */
export async function diagnoseCli(argv: readonly string[], io: DiagnoseIo): Promise<number> {
  const parsed = parseDiagnoseArgs(argv)
  if (parsed.kind === 'help') {
    io.stdout.write(`${DIAGNOSE_USAGE}\n`)
    return DIAGNOSE_EXIT.nothingFound
  }
  if (parsed.kind === 'invalid') {
    io.stderr.write(`error: ${parsed.problem}\nRun 'zfs-join-matrix diagnose --help' for its usage.\n`)
    return DIAGNOSE_EXIT.invalid
  }
  let diagnosis
  try {
    diagnosis = await scanLogs(parsed.files, io.stdin)
  } catch (e) {
    if (!(e instanceof LogInputError)) throw e
    io.stderr.write(`error: ${e.message}\n`)
    return DIAGNOSE_EXIT.invalid
  }
  io.stdout.write(renderDiagnosis(diagnosis, parsed.format))
  return diagnosis.findings.length > 0 ? DIAGNOSE_EXIT.found : DIAGNOSE_EXIT.nothingFound
}
