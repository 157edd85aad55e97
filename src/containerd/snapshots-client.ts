import * as grpc from '@grpc/grpc-js'

/**
 * containerd's own snapshots service, asked over the forwarded socket whether a snapshotter holds a
 * snapshot: the call `ctr snapshots info` makes, without starting ctr on the node for each snapshotter
 * (a Go binary takes about 0.4 s to start under TCG).
 */
const STAT = '/containerd.services.snapshots.v1.Snapshots/Stat'
const TIMEOUT_MS = 15_000

export type SnapshotAnswer =
  | { readonly kind: 'held' }
  | { readonly kind: 'absent' }
  /** containerd answered with another error: the snapshotter is not loaded, … */
  | { readonly kind: 'refused'; readonly message: string }

/**
 * StatSnapshotRequest { string snapshotter = 1; string key = 2; }, encoded by hand: the two strings are
 * all the request holds, and the answer's body is not read (its status says what we ask).
 */
export function statRequest(snapshotter: string, key: string): Buffer {
  return Buffer.concat([stringField(1, snapshotter), stringField(2, key)])
}

function stringField(field: number, value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8')
  return Buffer.concat([Buffer.from([(field << 3) | 2]), varint(bytes.length), bytes])
}

function varint(n: number): Buffer {
  const out: number[] = []
  let v = n
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80)
    v >>>= 7
  }
  out.push(v)
  return Buffer.from(out)
}

/** Whether `snapshotter` holds the committed snapshot `key` in `namespace`; throws when containerd cannot be reached. */
export async function statSnapshot(
  socketPath: string,
  namespace: string,
  snapshotter: string,
  key: string
): Promise<SnapshotAnswer> {
  const client = new grpc.Client(`unix://${socketPath}`, grpc.credentials.createInsecure())
  const metadata = new grpc.Metadata()
  metadata.set('containerd-namespace', namespace)
  try {
    await new Promise<void>((resolve, reject) => {
      client.makeUnaryRequest(
        STAT,
        (b: Buffer) => b,
        (b: Buffer) => b,
        statRequest(snapshotter, key),
        metadata,
        { deadline: Date.now() + TIMEOUT_MS },
        err => (err === null ? resolve() : reject(err))
      )
    })
    return { kind: 'held' }
  } catch (e) {
    const err = e as grpc.ServiceError
    if (err.code === grpc.status.NOT_FOUND) return { kind: 'absent' }
    if (err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.DEADLINE_EXCEEDED) {
      throw new Error(`containerd's snapshots service at ${socketPath} did not answer: ${err.message}`)
    }
    return { kind: 'refused', message: err.details || err.message }
  } finally {
    client.close()
  }
}
