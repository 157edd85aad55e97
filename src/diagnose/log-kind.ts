/**
 * What a log given to diagnose is, told by its content (users name files anything): Ansible's output,
 * a journal (short or JSON), the kernel's, kubeadm's, an image pull's, or plain text. The kind decides
 * how a line is read (a journal's JSON MESSAGE, an Ansible task's JSON result) and is shown with the
 * file, so a user sees that their file was understood.
 */
import { stripEscapes } from '../text/control-chars.js'

export const LOG_KINDS = [
  'ansible-playbook',
  'journal-json',
  'journal',
  'kernel',
  'kubeadm',
  'image-tool',
  'text'
] as const
export type LogKind = (typeof LOG_KINDS)[number]

export const LOG_KIND_TITLES: Readonly<Record<LogKind, string>> = {
  'ansible-playbook': 'ansible-playbook output',
  'journal-json': 'journalctl -o json',
  journal: 'journalctl',
  kernel: 'kernel log (dmesg)',
  kubeadm: 'kubeadm output',
  'image-tool': 'nerdctl, ctr or crictl output',
  text: 'text'
}

/** How many leading lines decide the kind: enough to pass a banner, bounded for gigabyte files. */
export const KIND_SAMPLE_LINES = 200

const SYSLOG_PREFIX = String.raw`(?:\w{3} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S*)`
const JOURNAL_LINE = new RegExp(String.raw`^${SYSLOG_PREFIX} \S+ ([\w.@/-]+)(?:\[\d+\])?: `)

/** The first rule any sampled line satisfies wins; order puts the most telling kinds first. */
const RULES: readonly { readonly kind: LogKind; readonly test: (line: string) => boolean }[] = [
  {
    kind: 'journal-json',
    test: l =>
      l.startsWith('{') && l.includes('"MESSAGE"') && /"(__CURSOR|_SYSTEMD_UNIT|SYSLOG_IDENTIFIER)"/.test(l)
  },
  {
    kind: 'ansible-playbook',
    test: l =>
      /^(PLAY \[|TASK \[|PLAY RECAP|RUNNING HANDLER \[)/.test(l) ||
      /^(fatal|ok|changed|failed|skipping): \[[^\]]+\]/.test(l)
  },
  {
    kind: 'kubeadm',
    test: l =>
      /^\[(preflight|kubelet-start|kubelet-check|discovery|join|certs|kubeconfig|control-plane|etcd|upload-config|mark-control-plane)\] /.test(
        l
      ) || /^error execution phase /.test(l)
  },
  {
    kind: 'journal',
    test: l => JOURNAL_LINE.test(l) || /^-- (Logs begin at|Journal begins at|No entries|Boot )/.test(l)
  },
  {
    kind: 'image-tool',
    test: l =>
      /^\S+:\s+(resolv(ing|ed)|waiting|downloading|done|exists|unpacking)\b/.test(l) ||
      /^elapsed: [\d.]+ ?m?s\s+total:/.test(l) ||
      /^Image is up to date for /.test(l) ||
      /^(FATA|E\d{4})\S* .*(pull|image)/i.test(l) ||
      /^ctr: /.test(l) ||
      /^time="[^"]+" level=(fatal|error) msg=/.test(l)
  }
]

const DMESG_LINE = /^\[\s*\d+\.\d+\] /
const fromKernel = (line: string): boolean => JOURNAL_LINE.exec(line)?.[1] === 'kernel'

/**
 * The kind of a log from its first lines (ANSI colours removed). A journal whose sampled lines all
 * come from the kernel (`journalctl -k`) is a kernel log.
 */
export function detectKind(sample: readonly string[]): LogKind {
  const lines = sample.map(stripEscapes).filter(l => l.trim() !== '')
  const journal = lines.filter(l => JOURNAL_LINE.test(l))
  for (const rule of RULES) {
    if (rule.kind === 'journal') {
      // dmesg, or `journalctl -k`: every journal line from the kernel.
      if (lines.some(l => DMESG_LINE.test(l))) return 'kernel'
      if (journal.length > 0 && journal.every(fromKernel)) return 'kernel'
    }
    if (lines.some(rule.test)) return rule.kind
  }
  return 'text'
}

/** The units a journal's sampled lines come from, for the file's description ("containerd, kubelet"). */
export function journalUnits(sample: readonly string[], kind: LogKind): readonly string[] {
  const units = new Set<string>()
  for (const raw of sample) {
    if (kind === 'journal') {
      const unit = JOURNAL_LINE.exec(stripEscapes(raw))?.[1]
      if (unit !== undefined) units.add(unit)
    } else if (kind === 'journal-json') {
      const unit = parseJournalJson(raw)?.unit
      if (unit !== undefined) units.add(unit)
    }
  }
  return [...units].sort()
}

/** One `journalctl -o json` record: its MESSAGE (a string, or bytes when not UTF-8) and its unit. */
export function parseJournalJson(line: string): { message: string; unit?: string } | undefined {
  if (!line.startsWith('{')) return undefined
  let record: Record<string, unknown>
  try {
    record = JSON.parse(line) as Record<string, unknown>
  } catch {
    return undefined
  }
  const m = record.MESSAGE
  const message =
    typeof m === 'string'
      ? m
      : Array.isArray(m) && m.every(b => typeof b === 'number')
        ? Buffer.from(m).toString('utf8')
        : undefined
  if (message === undefined) return undefined
  const unit = [record._SYSTEMD_UNIT, record.SYSLOG_IDENTIFIER].find(
    (u): u is string => typeof u === 'string'
  )
  return unit === undefined ? { message } : { message, unit: unit.replace(/\.service$/, '') }
}
