import { createWriteStream } from 'node:fs'
import { get as httpGet, type IncomingMessage } from 'node:http'
import { get as httpsGet } from 'node:https'
import { pipeline } from 'node:stream/promises'

const MAX_REDIRECTS = 5

/** A download that did not end in the file: the HTTP status, or the connection's error. */
export class DownloadError extends Error {}

/**
 * Streams `url` into `path` with Node's own http/https clients, following redirects (release downloads
 * redirect to a CDN). Not fetch: Node 20's fetch can fail an assertion inside its HTTP parser on a
 * large body read through a stream, and that kills the process instead of rejecting.
 */
export async function downloadTo(url: string, path: string, signal: AbortSignal): Promise<void> {
  let at = new URL(url)
  for (let hop = 0; ; hop++) {
    const response = await request(at, signal)
    const status = response.statusCode ?? 0
    const location = response.headers.location
    if (status >= 300 && status < 400 && location !== undefined) {
      response.resume()
      if (hop >= MAX_REDIRECTS) throw new DownloadError(`more than ${MAX_REDIRECTS} redirects`)
      at = new URL(location, at)
      continue
    }
    if (status !== 200) {
      response.resume()
      throw new DownloadError(`HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`)
    }
    await pipeline(response, createWriteStream(path), { signal })
    return
  }
}

function request(url: URL, signal: AbortSignal): Promise<IncomingMessage> {
  const get = url.protocol === 'https:' ? httpsGet : url.protocol === 'http:' ? httpGet : undefined
  if (get === undefined) return Promise.reject(new DownloadError(`${url.protocol} URLs cannot be downloaded`))
  return new Promise((resolve, reject) => {
    const req = get(url, { signal }, resolve)
    req.on('error', e =>
      reject(
        signal.aborted
          ? e
          : new DownloadError(`fetch failed (${(e as NodeJS.ErrnoException).code ?? e.message})`)
      )
    )
  })
}
