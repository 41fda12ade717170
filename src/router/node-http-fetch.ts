/**
 * A `fetch` for Node hosts over the router's own HTTP/1.1 client (`http1-client.ts`: keep-alive pools on
 * `net`/`tls`). The router core only needs some `fetch`; on Node 20 this one costs a fraction of the bundled
 * one per request (see bench/README.md), so `serveRouter` and the main server pass it in. Node-only: a
 * Cloudflare host keeps the platform `fetch`.
 *
 * Supports what the router sends: a method, string/byte bodies, header records or `Headers`, an abort signal
 * (before and during the answer), and streamed answers with backpressure. A request that fails on a reused
 * keep-alive socket before any answer (the server closed it meanwhile) is sent once more on a fresh one.
 */
import { type ChunkSource, readerSource, sourceStream } from './chunk-source.js'
import { type Http1Answer, http1Request } from './http1-client.js'

function headerRecord(headers: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (!headers) return out
  if (headers instanceof Headers || Array.isArray(headers)) {
    for (const [k, v] of headers instanceof Headers ? headers : headers) out[k.toLowerCase()] = v
    return out
  }
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v
  return out
}

function bodyBytes(body: BodyInit | null | undefined): Buffer | undefined {
  if (body === undefined || body === null) return undefined
  if (typeof body === 'string') return Buffer.from(body)
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  if (body instanceof ArrayBuffer) return Buffer.from(body)
  throw new TypeError('nodeHttpFetch sends string or byte bodies only')
}

/**
 * The part of `Response` the router reads, over the socket directly: `text()`/`json()`/`arrayBuffer()` read
 * the bytes without a web stream, and `body` and `headers` are only built when asked for. Undici's
 * `Response`, its stream and its `Headers` cost more than the rest of a proxied request on Node 20.
 */
class NodeResponse {
  readonly status: number
  readonly statusText: string
  readonly ok: boolean
  readonly redirected = false
  readonly type = 'basic'
  private stream: ReadableStream<Uint8Array> | undefined
  private headerObject: Headers | undefined
  bodyUsed = false

  constructor(
    private readonly answer: Http1Answer,
    readonly url: string,
  ) {
    this.status = answer.head.status
    this.statusText = answer.head.statusText
    this.ok = this.status >= 200 && this.status < 300
  }

  get headers(): Headers {
    if (!this.headerObject) {
      const headers = new Headers()
      const raw = this.answer.head.rawHeaders
      for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string)
      this.headerObject = headers
    }
    return this.headerObject
  }

  get body(): ReadableStream<Uint8Array> {
    if (!this.stream) {
      if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read')
      this.bodyUsed = true
      this.stream = sourceStream(this.answer.body)
    }
    return this.stream
  }

  /** Read by `responseSource`: the body without a web stream (once; the stream instead if it was built). */
  chunkSource(): ChunkSource {
    if (this.stream) return readerSource(this.stream)
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read')
    this.bodyUsed = true
    return this.answer.body
  }

  /** The headers as a record (read by `liteHeaders`), without building a `Headers`. */
  get headerRecord(): Record<string, string> {
    const out: Record<string, string> = {}
    const raw = this.answer.head.rawHeaders
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const key = (raw[i] as string).toLowerCase()
      const value = raw[i + 1] as string
      const had = out[key]
      out[key] = had === undefined ? value : `${had}, ${value}`
    }
    return out
  }

  private async bytes(): Promise<Buffer> {
    const source = this.chunkSource()
    const first = await source.read()
    if (first === undefined) return Buffer.alloc(0)
    const parts = [first]
    for (let c = await source.read(); c !== undefined; c = await source.read()) parts.push(c)
    return parts.length === 1
      ? Buffer.from(first.buffer, first.byteOffset, first.byteLength)
      : Buffer.concat(parts)
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = await this.bytes()
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer
  }

  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8')
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text())
  }
}

async function send(url: URL, init: RequestInit, body: Buffer | undefined): Promise<Response> {
  const answer = await http1Request({
    url,
    method: init.method ?? 'GET',
    headers: headerRecord(init.headers),
    body,
    signal: init.signal ?? undefined,
  })
  // A structural stand-in for Response (see NodeResponse): the router reads nothing else of it.
  return new NodeResponse(answer, url.href) as unknown as Response
}

const parsedUrls = new Map<string, URL>()

/** The router calls a handful of endpoint URLs over and over: each is parsed once (never mutated after). */
function parseUrl(href: string): URL {
  let url = parsedUrls.get(href)
  if (!url) {
    url = new URL(href)
    if (parsedUrls.size >= 256) parsedUrls.clear()
    parsedUrls.set(href, url)
  }
  return url
}

/** `fetch` over the router's own HTTP/1.1 client on `net`/`tls` (see the module comment). */
export const nodeHttpFetch: typeof fetch = async (input, init) => {
  if (input instanceof Request) {
    const body = init?.body ?? (input.body ? new Uint8Array(await input.arrayBuffer()) : undefined)
    return nodeHttpFetch(input.url, {
      method: input.method,
      headers: input.headers,
      signal: input.signal,
      ...init,
      body,
    })
  }
  const url = parseUrl(String(input))
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fetch(input, init)
  return send(url, init ?? {}, bodyBytes(init?.body))
}
