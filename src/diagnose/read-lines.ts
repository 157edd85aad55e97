import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs'
import { StringDecoder } from 'node:string_decoder'
import type { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { errorMessage } from '../text/error-message.js'

/** A line longer than this is cut: a log of gigabytes on one line must not fill the memory. */
export const MAX_LINE_CHARS = 64 * 1024

export interface NumberedLine {
  /** 1-based, as editors count. */
  readonly n: number
  readonly text: string
}

/** A log given to diagnose that cannot be read as text: names the file and says why. */
export class LogInputError extends Error {}

/**
 * The lines of a stream, one at a time, in bounded memory: chunks are split as they come and a line is
 * kept only up to MAX_LINE_CHARS (the rest of it is dropped, not buffered).
 */
export async function* readLines(stream: AsyncIterable<Buffer | string>): AsyncGenerator<NumberedLine> {
  const decoder = new StringDecoder('utf8')
  let partial = ''
  let cut = false
  let n = 0
  const take = (piece: string): void => {
    if (cut) return
    partial += piece
    if (partial.length > MAX_LINE_CHARS) {
      partial = partial.slice(0, MAX_LINE_CHARS)
      cut = true
    }
  }
  for await (const chunk of stream) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk)
    let start = 0
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      take(text.slice(start, nl))
      yield { n: ++n, text: partial.endsWith('\r') ? partial.slice(0, -1) : partial }
      partial = ''
      cut = false
      start = nl + 1
    }
    take(text.slice(start))
  }
  take(decoder.end())
  if (partial.length > 0) yield { n: ++n, text: partial }
}

const GZIP_MAGIC = [0x1f, 0x8b]
/** journald's own files: readable only through journalctl. */
const JOURNAL_MAGIC = 'LPKSHHRH'

/**
 * Opens a log for reading: `-` is standard input, a gzip file is decompressed as it streams, and a
 * missing, unreadable, binary or journald file is a LogInputError naming it, before any line is read.
 */
export function openLog(path: string, stdin: Readable): AsyncIterable<Buffer | string> {
  if (path === '-') return refuseBinary('- (standard input)', stdin)
  let head: Buffer
  try {
    if (statSync(path).isDirectory()) throw new LogInputError(`${path} is a directory, not a log file`)
    head = readHead(path)
  } catch (e) {
    if (e instanceof LogInputError) throw e
    const code = (e as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'cannot be read (permission denied)'
          : errorMessage(e)
    throw new LogInputError(`${path} ${why}`)
  }
  if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) {
    return refuseBinary(`${path} (gzip)`, createReadStream(path).pipe(createGunzip()))
  }
  if (head.subarray(0, JOURNAL_MAGIC.length).toString('latin1') === JOURNAL_MAGIC) {
    throw new LogInputError(
      `${path} is a journald file: export it first, e.g. \`journalctl --file ${path} -u containerd -u kubelet > node.log\``
    )
  }
  if (head.includes(0)) {
    throw new LogInputError(`${path} is binary, not a text log (it holds NUL bytes)`)
  }
  return createReadStream(path)
}

/**
 * A stream whose start cannot be read ahead (standard input, a gzip file's decompressed text), checked
 * as it comes: NUL bytes in its first HEAD_BYTES are a LogInputError naming it, as for a plain file.
 */
async function* refuseBinary(
  name: string,
  stream: AsyncIterable<Buffer | string>
): AsyncGenerator<Buffer | string> {
  let seen = 0
  for await (const chunk of stream) {
    if (seen < HEAD_BYTES) {
      const head = (typeof chunk === 'string' ? Buffer.from(chunk) : chunk).subarray(0, HEAD_BYTES - seen)
      if (head.includes(0)) throw new LogInputError(`${name} is binary, not a text log (it holds NUL bytes)`)
      seen += head.length
    }
    yield chunk
  }
}

const HEAD_BYTES = 8192

/** A small, bounded read that tells binary from text before anything streams. */
function readHead(path: string): Buffer {
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.alloc(HEAD_BYTES)
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0))
  } finally {
    closeSync(fd)
  }
}
