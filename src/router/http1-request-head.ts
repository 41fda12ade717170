/**
 * A strict reader of HTTP/1.1 request heads for the router's fast front (`http1-front.ts`). It accepts only
 * the plain, unambiguous form the router's own endpoints get from API clients — `HTTP/1.1`, an origin-form
 * target, token header names, values without control characters, at most one `Content-Length` and no
 * `Transfer-Encoding`, `Expect` or `Upgrade`, a `Host` — and answers `undefined` for anything else, which the front then
 * hands to Node's HTTP server unchanged. So every request either parses the same way Node's parser would read
 * it, or is read by Node's parser: nothing can be smuggled between the two.
 */
import { splitHeaderLine } from './http1-syntax.js'
import type { HeaderReader } from './incoming-call.js'

export interface RequestHead {
  method: string
  path: string
  /** The query string including `?`, or ''. */
  search: string
  headers: HeaderReader
  contentLength: number
  /** Whether the client keeps the connection open after the answer (no `Connection: close`). */
  keepAlive: boolean
}

/** The longest head read here (Node's default limit): longer ones go to Node's server, which answers 431. */
export const MAX_REQUEST_HEAD = 16 * 1024
const MAX_HEADERS = 200

const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\/[!-~]*) HTTP\/1\.1$/
const DIGITS = /^\d{1,15}$/

/** Lower-case header names to values (repeats joined with `, `), read like `Headers.get`. */
class HeaderMap implements HeaderReader {
  readonly values: Record<string, string> = Object.create(null)

  get(name: string): string | null {
    return this.values[name.toLowerCase()] ?? null
  }
}

/** Parses the head (without its final blank line); `undefined` when it is outside the strict form. */
export function parseRequestHead(text: string): RequestHead | undefined {
  const lines = text.split('\r\n')
  if (lines.length > MAX_HEADERS + 1) return undefined
  const start = REQUEST_LINE.exec(lines[0] as string)
  if (!start) return undefined
  const target = start[2] as string
  const headers = new HeaderMap()
  const values = headers.values
  let contentLength = 0
  let sawLength = false
  let keepAlive = true
  for (let i = 1; i < lines.length; i++) {
    const header = splitHeaderLine(lines[i] as string)
    if (!header) return undefined
    const name = header[0].toLowerCase()
    const value = header[1]
    switch (name) {
      case 'content-length':
        if (sawLength || !DIGITS.test(value)) return undefined
        sawLength = true
        contentLength = Number(value)
        break
      case 'transfer-encoding':
      case 'expect':
      case 'upgrade':
        return undefined
      case 'connection':
        if (/(?:^|,)\s*close\s*(?:,|$)/i.test(value)) keepAlive = false
        break
    }
    const had = values[name]
    values[name] = had === undefined ? value : `${had}, ${value}`
  }
  if (values.host === undefined) return undefined // Node's server answers 400 without one
  const q = target.indexOf('?')
  return {
    method: start[1] as string,
    path: q < 0 ? target : target.slice(0, q),
    search: q < 0 ? '' : target.slice(q),
    headers,
    contentLength,
    keepAlive,
  }
}
