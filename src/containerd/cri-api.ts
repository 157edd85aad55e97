import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cmd } from '../exec/command.js'
import { check } from '../exec/executor.js'
import type { HostContext } from '../host/context.js'
import { AptIndex } from '../images/apt-index.js'
import { DEBIAN_KEYRING } from '../images/cache.js'
import { fillDir } from '../host/fill-dir.js'
import { errorMessage } from '../text/error-message.js'

/**
 * The CRI's protobuf definition, from Debian's own package of kubernetes' cri-api (trixie, architecture
 * all): fetched from the same mirror as the node images, never copied into this project.
 */
export const CRI_API_PACKAGE = {
  name: 'golang-github-kubernetes-cri-api-dev',
  suite: 'trixie',
  member: './usr/share/gocode/src/k8s.io/cri-api/pkg/apis/runtime/v1/api.proto'
} as const

/** The two CRI API versions containerd serves: 1.4 only `runtime.v1alpha2`, 1.5+ `runtime.v1`. */
export type CriApiVersion = 'v1' | 'v1alpha2'

export interface CriProtos {
  /** Where each API version's .proto is, ready for @grpc/proto-loader. */
  readonly files: Readonly<Record<CriApiVersion, string>>
  /** The Debian package version the definition came from. */
  readonly version: string
}

export type CriProtoAvailability =
  | { readonly kind: 'ready'; readonly protos: CriProtos }
  | { readonly kind: 'unavailable'; readonly reason: string }

const VERSION_FILE = 'package-version'

/**
 * Returns the CRI definitions from `<cacheDir>/cri-api`, downloading Debian's package once. Offline
 * with an empty cache the reason says so; it never throws.
 */
export async function obtainCriProtos(
  cacheDir: string,
  mirror: string,
  ctx: HostContext
): Promise<CriProtoAvailability> {
  const dir = join(cacheDir, 'cri-api')
  if (['runtime-v1.proto', 'runtime-v1alpha2.proto', VERSION_FILE].every(f => existsSync(join(dir, f)))) {
    return { kind: 'ready', protos: protosIn(dir) }
  }
  // A cache dir missing a file is from an interrupted or older run: fetch again.
  rmSync(dir, { recursive: true, force: true })
  try {
    await fillDir(
      dir,
      async partial => {
        mkdirSync(partial, { recursive: true })
        const index = new AptIndex(
          join(partial, 'apt'),
          [`deb ${mirror} ${CRI_API_PACKAGE.suite} main`],
          DEBIAN_KEYRING
        )
        index.prepare()
        await check(ctx.exec, index.updateCommand(), { signal: ctx.signal, timeoutMs: 5 * 60_000 })
        await check(ctx.exec, index.downloadCommand(CRI_API_PACKAGE.name, partial), {
          signal: ctx.signal,
          timeoutMs: 5 * 60_000
        })
        const deb = readdirSync(partial).find(f => f.endsWith('.deb'))
        if (deb === undefined) throw new Error('apt-get download wrote no .deb')
        const version = deb.split('_')[1] ?? 'unknown'
        const extracted = await check(
          ctx.exec,
          cmd(
            'sh',
            '-c',
            'dpkg-deb --fsys-tarfile "$1" | tar -xO "$2"',
            'sh',
            join(partial, deb),
            CRI_API_PACKAGE.member
          )
        )
        writeProtos(partial, extracted.stdout, version)
        rmSync(join(partial, 'apt'), { recursive: true, force: true })
        rmSync(join(partial, deb), { force: true })
      },
      ctx.ledger
    )
    return { kind: 'ready', protos: protosIn(dir) }
  } catch (e) {
    return {
      kind: 'unavailable',
      reason: `the CRI API definition (Debian package ${CRI_API_PACKAGE.name} from ${mirror} ${CRI_API_PACKAGE.suite}) could not be fetched: ${errorMessage(e)}`
    }
  }
}

/**
 * Writes the proto for both API versions. gogoproto's options are Go code generation hints whose own
 * definition is not shipped with the package; dropping them leaves the wire format unchanged.
 * v1alpha2 has the same messages under another package name (containerd 1.4 serves only that one).
 */
export function writeProtos(dir: string, v1Text: string, version: string): void {
  if (!/^package runtime\.v1;$/m.test(v1Text)) {
    throw new Error('the package holds no `package runtime.v1;` definition')
  }
  const clean = v1Text
    .split('\n')
    .filter(line => !/^import "github\.com\/gogo\//.test(line) && !/^option \(gogoproto\./.test(line))
    .join('\n')
  writeFileSync(join(dir, 'runtime-v1.proto'), clean)
  writeFileSync(
    join(dir, 'runtime-v1alpha2.proto'),
    clean.replace(/^package runtime\.v1;$/m, 'package runtime.v1alpha2;')
  )
  writeFileSync(join(dir, VERSION_FILE), `${version}\n`)
}

function protosIn(dir: string): CriProtos {
  return {
    files: { v1: join(dir, 'runtime-v1.proto'), v1alpha2: join(dir, 'runtime-v1alpha2.proto') },
    version: readFileSync(join(dir, VERSION_FILE), 'utf8').trim()
  }
}
