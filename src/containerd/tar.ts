/**
 * A minimal, deterministic ustar writer for the probe's test image layers. Everything that could vary
 * between runs or hosts (owner, times, ordering) is fixed, so the same entries always give the same bytes
 * and therefore the same layer digest; nothing here reads the file system or depends on a tar binary.
 */

export interface TarEntry {
  /** Relative path inside the archive, without a leading "./"; a directory's trailing "/" is added. */
  readonly path: string
  readonly type: 'file' | 'dir' | 'symlink' | 'fifo'
  /** Permission bits, including setuid/setgid/sticky (0o7777 at most). */
  readonly mode: number
  /** Required for files (may be empty), not allowed otherwise. */
  readonly content?: Buffer
  /** Required for symlinks, not allowed otherwise. */
  readonly linkTarget?: string
}

const BLOCK = 512
const NAME_BYTES = 100
const LINKNAME_BYTES = 100
/** The size field holds 11 octal digits. */
const MAX_SIZE = 8 ** 11 - 1

const TYPEFLAG: Readonly<Record<TarEntry['type'], string>> = { file: '0', dir: '5', symlink: '2', fifo: '6' }

/**
 * The entries as one ustar archive, in the given order, owned by root:root (0/0) with mtime 0 and
 * ending with the two zero blocks. Paths longer than the 100-byte name field are refused rather than
 * split into the prefix field: the test images never need them, and refusing keeps the format trivial.
 */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = []
  for (const entry of entries) {
    const content = entryContent(entry)
    parts.push(header(entry, content.length))
    if (content.length > 0) {
      parts.push(content)
      const pad = (BLOCK - (content.length % BLOCK)) % BLOCK
      if (pad > 0) parts.push(Buffer.alloc(pad))
    }
  }
  parts.push(Buffer.alloc(2 * BLOCK))
  return Buffer.concat(parts)
}

function entryContent(entry: TarEntry): Buffer {
  switch (entry.type) {
    case 'file':
      if (entry.content === undefined) throw new Error(`tar: file ${entry.path} has no content`)
      if (entry.linkTarget !== undefined) throw new Error(`tar: file ${entry.path} has a link target`)
      if (entry.content.length > MAX_SIZE) throw new Error(`tar: file ${entry.path} is too large for ustar`)
      return entry.content
    case 'dir':
    case 'symlink':
    case 'fifo':
      if (entry.content !== undefined) throw new Error(`tar: ${entry.type} ${entry.path} cannot have content`)
      if (entry.type !== 'symlink' && entry.linkTarget !== undefined) {
        throw new Error(`tar: ${entry.type} ${entry.path} has a link target`)
      }
      return Buffer.alloc(0)
    default: {
      const never: never = entry.type
      throw new Error(`tar: unknown entry type ${String(never)}`)
    }
  }
}

function entryName(entry: TarEntry): string {
  if (entry.path === '' || entry.path === '/' || entry.path.startsWith('/') || entry.path.startsWith('./')) {
    throw new Error(`tar: path ${JSON.stringify(entry.path)} must be relative, without a leading "./"`)
  }
  if (entry.path.includes('\0')) throw new Error(`tar: path ${JSON.stringify(entry.path)} contains NUL`)
  if (entry.type === 'dir') return entry.path.endsWith('/') ? entry.path : `${entry.path}/`
  if (entry.path.endsWith('/')) throw new Error(`tar: ${entry.type} path ${entry.path} ends with "/"`)
  return entry.path
}

function header(entry: TarEntry, size: number): Buffer {
  const name = Buffer.from(entryName(entry), 'utf8')
  if (name.length > NAME_BYTES) {
    throw new Error(`tar: path ${entry.path} is ${name.length} bytes, longer than ustar's ${NAME_BYTES}`)
  }
  let linkname = Buffer.alloc(0)
  if (entry.type === 'symlink') {
    if (entry.linkTarget === undefined || entry.linkTarget === '') {
      throw new Error(`tar: symlink ${entry.path} has no link target`)
    }
    linkname = Buffer.from(entry.linkTarget, 'utf8')
    if (linkname.length > LINKNAME_BYTES || entry.linkTarget.includes('\0')) {
      throw new Error(
        `tar: link target of ${entry.path} is ${linkname.length} bytes, longer than ustar's ${LINKNAME_BYTES}`
      )
    }
  }
  if (!Number.isInteger(entry.mode) || entry.mode < 0 || entry.mode > 0o7777) {
    throw new Error(`tar: mode ${entry.mode} of ${entry.path} is not a permission mode`)
  }

  const h = Buffer.alloc(BLOCK)
  name.copy(h, 0)
  octal(h, 100, 8, entry.mode)
  octal(h, 108, 8, 0) // uid
  octal(h, 116, 8, 0) // gid
  octal(h, 124, 12, size)
  octal(h, 136, 12, 0) // mtime
  h.write(TYPEFLAG[entry.type], 156, 'ascii')
  linkname.copy(h, 157)
  h.write('ustar\0', 257, 'ascii')
  h.write('00', 263, 'ascii')
  h.write('root', 265, 'ascii') // uname
  h.write('root', 297, 'ascii') // gname
  octal(h, 329, 8, 0) // devmajor
  octal(h, 337, 8, 0) // devminor
  // The checksum is the byte sum of the header with its own field read as eight spaces,
  // stored as six octal digits, NUL, space.
  h.fill(' ', 148, 156, 'ascii')
  let sum = 0
  for (const byte of h) sum += byte
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii')
  return h
}

/** A zero-padded octal number filling the field but its last byte, which stays NUL. */
function octal(h: Buffer, offset: number, width: number, value: number): void {
  const digits = value.toString(8).padStart(width - 1, '0')
  if (digits.length > width - 1) throw new Error(`tar: ${value} does not fit a ${width}-byte field`)
  h.write(digits, offset, 'ascii')
}
