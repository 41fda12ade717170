/**
 * What the router's handlers read of a client request: its raw body, headers, query string and abort signal.
 * Each host reads it in its own way (`RequestReader` in `../app.ts`); this is the web-standard reading, from a
 * `Request`, which the Cloudflare host and `app.request()` use.
 */
import { AppError } from '../../protocol/errors.js'

/** The part of `Headers` the router reads (a web `Headers` is one). */
export interface HeaderReader {
  get(name: string): string | null
}

/**
 * The part of an `AbortSignal` the router reads of the client's (a web `AbortSignal` is one): the Node host
 * answers it from the connection's `close` event without building an `AbortController` per request.
 */
export interface ClientSignal {
  readonly aborted: boolean
  readonly reason: unknown
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
  removeEventListener(type: 'abort', listener: () => void): void
}

export interface IncomingCall {
  rawBody: string
  headers: HeaderReader
  /** The query string including `?`, or ''. */
  search: string
  /** Aborted when the client goes away. */
  signal: ClientSignal | undefined
}

/** The error for a body over `maxBytes`: a 413 that is never retried or sent upstream. */
export function bodyTooLarge(maxBytes: number): AppError {
  return new AppError('request_too_large', `the request body is over ${maxBytes / 1024 / 1024} MiB`)
}

/** Throws `bodyTooLarge` when a request declares a `content-length` over `maxBytes`. */
export function checkDeclaredLength(contentLength: string | null | undefined, maxBytes: number): void {
  if (contentLength && Number(contentLength) > maxBytes) throw bodyTooLarge(maxBytes)
}

/** The query string of a URL or request target, including `?`, or ''. */
export function searchOf(target: string): string {
  const q = target.indexOf('?')
  return q < 0 ? '' : target.slice(q)
}

/** `request`'s parts, its body read as text and refused once it is over `maxBytes`. */
export async function incomingFromRequest(request: Request, maxBytes: number): Promise<IncomingCall> {
  checkDeclaredLength(request.headers.get('content-length'), maxBytes)
  return {
    rawBody: request.body ? await readText(request.body, maxBytes) : '',
    headers: request.headers,
    search: searchOf(request.url),
    signal: request.signal,
  }
}

async function readText(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<string> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return text + decoder.decode()
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      throw bodyTooLarge(maxBytes)
    }
    text += decoder.decode(value, { stream: true })
  }
}
