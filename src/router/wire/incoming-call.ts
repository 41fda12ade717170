/**
 * What the router's handlers read of a client request: its raw body, headers, query string and abort signal.
 * The Hono app builds it from the web `Request`.
 */

/** The part of `Headers` the router reads (a web `Headers` is one). */
export interface HeaderReader {
  get(name: string): string | null
}

export interface IncomingCall {
  rawBody: string
  headers: HeaderReader
  /** The query string including `?`, or ''. */
  search: string
  /** Aborted when the client goes away. */
  signal: AbortSignal | undefined
}

export async function incomingFromRequest(request: Request): Promise<IncomingCall> {
  const url = request.url
  const q = url.indexOf('?')
  return {
    rawBody: await request.text(),
    headers: request.headers,
    search: q < 0 ? '' : url.slice(q),
    signal: request.signal,
  }
}
