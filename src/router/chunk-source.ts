/**
 * The router's own body plumbing: a `ChunkSource` is a pull-based byte source (one promise per chunk), and a
 * `LiteResponse` is the part of `Response` the router reads, over a source or a whole body. Web
 * `ReadableStream`s and `Response`s cost more on Node 20 than the rest of a proxied request (each stream is
 * ~30 µs to build, every chunk several promise hops), so the hot paths pass these between stages and build
 * the web objects only when something asks for them (`body`, `toWebResponse`). Platform-neutral.
 */

export interface ChunkSource {
  /** The next chunk, or `undefined` once the body ended; rejects when it failed. */
  read(): Promise<Uint8Array | undefined>
  cancel(reason?: unknown): Promise<void>
  /** A chunk that is already there, without waiting; `undefined` when none is (not the end). Optional. */
  readNow?(): Uint8Array | undefined
}

/** A source over a web stream's reader. */
export function readerSource(stream: ReadableStream<Uint8Array>): ChunkSource {
  const reader = stream.getReader()
  return {
    read: () => reader.read().then((r) => (r.done ? undefined : r.value)),
    cancel: (reason) => reader.cancel(reason),
  }
}

/** A web stream over a source, pulling only as fast as it is read. */
export function sourceStream(source: ChunkSource): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const value = await source.read()
        if (value === undefined) controller.close()
        else controller.enqueue(value)
      },
      cancel: (reason) => source.cancel(reason),
    },
    { highWaterMark: 0 },
  )
}

interface HasChunkSource {
  chunkSource(): ChunkSource | undefined
}

/** The body of any `Response` (ours, `nodeHttpFetch`'s or the platform's) as a source; none when bodiless. */
export function responseSource(response: Response): ChunkSource | undefined {
  const own = (response as unknown as Partial<HasChunkSource>).chunkSource
  if (typeof own === 'function') return own.call(response)
  return response.body ? readerSource(response.body) : undefined
}

const encoder = new TextEncoder()

export type LiteHeaders = Record<string, string>

/**
 * A `Response` stand-in with a whole body (string or bytes) or a `ChunkSource`. Cast to `Response` where the
 * router's types want one; `serveRouter` writes it straight to the socket, the Hono app via `toWebResponse`.
 */
export class LiteResponse implements HasChunkSource {
  readonly ok: boolean
  readonly statusText = ''
  readonly redirected = false
  readonly type = 'basic'
  readonly url = ''
  bodyUsed = false
  private headerObject: Headers | undefined
  private stream: ReadableStream<Uint8Array> | undefined

  constructor(
    readonly status: number,
    readonly headerRecord: LiteHeaders,
    private whole: string | Uint8Array | undefined,
    private source?: ChunkSource,
  ) {
    this.ok = status >= 200 && status < 300
  }

  static json(value: unknown, status = 200): Response {
    return new LiteResponse(
      status,
      { 'content-type': 'application/json' },
      JSON.stringify(value),
    ).asResponse()
  }

  asResponse(): Response {
    return this as unknown as Response
  }

  get headers(): Headers {
    this.headerObject ??= new Headers(this.headerRecord)
    return this.headerObject
  }

  /** Whether the body is a stream (a source, or a web stream already handed out) rather than whole. */
  get streaming(): boolean {
    return this.source !== undefined || this.stream !== undefined
  }

  /** The whole body when there is one (not read yet); `serveRouter` sends it in one write. */
  takeWhole(): string | Uint8Array | undefined {
    if (this.source || this.bodyUsed || this.stream) return undefined
    this.bodyUsed = true
    return this.whole ?? ''
  }

  chunkSource(): ChunkSource | undefined {
    if (this.stream) return readerSource(this.stream)
    if (this.source) {
      const s = this.source
      this.source = undefined
      this.bodyUsed = true
      return s
    }
    if (this.bodyUsed) return undefined
    this.bodyUsed = true
    const bytes = typeof this.whole === 'string' ? encoder.encode(this.whole) : this.whole
    let sent = false
    return {
      read: async () => {
        if (sent || !bytes || bytes.length === 0) return undefined
        sent = true
        return bytes
      },
      cancel: async () => {},
    }
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.stream) return this.stream
    if (!this.source && this.whole === undefined) return null
    const source = this.chunkSource()
    if (!source) return null
    this.stream = sourceStream(source)
    return this.stream
  }

  async text(): Promise<string> {
    if (!this.source && !this.stream) {
      if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read')
      this.bodyUsed = true
      const w = this.whole ?? ''
      return typeof w === 'string' ? w : new TextDecoder().decode(w)
    }
    return new TextDecoder().decode(await this.arrayBuffer())
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text())
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const source = this.chunkSource()
    if (!source) throw new TypeError('Body is unusable: Body has already been read')
    const parts: Uint8Array[] = []
    let size = 0
    for (let c = await source.read(); c !== undefined; c = await source.read()) {
      parts.push(c)
      size += c.length
    }
    const out = new Uint8Array(size)
    let at = 0
    for (const p of parts) {
      out.set(p, at)
      at += p.length
    }
    return out.buffer
  }
}

export function isLiteResponse(response: Response): boolean {
  return (response as unknown) instanceof LiteResponse
}

/** A real `Response` for the Hono app and other web consumers. */
export function toWebResponse(response: Response): Response {
  if (!isLiteResponse(response)) return response
  const lite = response as unknown as LiteResponse
  const whole = lite.takeWhole()
  return new Response(whole === undefined ? lite.body : (whole as BodyInit), {
    status: lite.status,
    headers: lite.headerRecord,
  })
}

/** A response's headers as a record (lower-case names), without building a `Headers` for our own kinds. */
export function liteHeaders(response: Response): LiteHeaders {
  const own = (response as unknown as { headerRecord?: LiteHeaders }).headerRecord
  if (own) return own
  const out: LiteHeaders = {}
  response.headers.forEach((value, key) => {
    out[key] = value
  })
  return out
}

/**
 * A response's body as a server sends it: whole (to go out with its length, in one write) unless it is an
 * event stream, which goes out chunk by chunk from its source. Bodiless answers are an empty whole.
 */
export async function outgoingBody(
  response: Response,
): Promise<{ whole: Uint8Array; source?: undefined } | { whole?: undefined; source: ChunkSource }> {
  const lite = isLiteResponse(response) ? (response as unknown as LiteResponse) : undefined
  const whole = lite?.takeWhole()
  if (whole !== undefined) return { whole: typeof whole === 'string' ? encoder.encode(whole) : whole }
  if (!(lite ? lite.streaming : response.body)) return { whole: new Uint8Array(0) }
  if (!(liteHeader(response, 'content-type') ?? '').startsWith('text/event-stream'))
    return { whole: new Uint8Array(await response.arrayBuffer()) }
  return { source: lite?.chunkSource() ?? readerSource(response.body as ReadableStream<Uint8Array>) }
}

/** One response header, without building a `Headers` for our own kinds. */
export function liteHeader(response: Response, name: string): string | null {
  const own = (response as unknown as { headerRecord?: LiteHeaders }).headerRecord
  if (own) return own[name] ?? null
  return response.headers.get(name)
}
