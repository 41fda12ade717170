/**
 * The router's upstream HTTP/1.1 client, straight on `net`/`tls` sockets: keep-alive connections pooled per
 * origin (last used first), each request written in one go, answers read by `Http1ResponseParser` into a
 * `ChunkSource` that pauses the socket while 64 KiB wait unread. Node's `http` client spends more CPU per
 * request than the rest of a proxied request (its `ClientRequest`/`IncomingMessage` streams, agent
 * bookkeeping and per-header validation); this one does only what a proxy to model providers needs.
 *
 * Header names and values are checked for characters that would split a request; a request that fails on a
 * reused connection before any answer (the server closed it meanwhile) is sent once more on a fresh one. An
 * abort destroys the connection. Idle connections close after the server's `Keep-Alive: timeout` (less a
 * second) or 60 s, and never keep the process alive. New TLS connections resume the origin's last session.
 */
import { isIP, connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import type { ChunkSource } from './chunk-source.js'
import { Http1ParseError, Http1ResponseParser, type ResponseHead } from './http1-response-parser.js'
import { headerLines } from './http1-syntax.js'

export interface Http1Request {
  url: URL
  method: string
  /** Lower-case names. `host`, `content-length`, `connection` and `transfer-encoding` are set here. */
  headers: Record<string, string>
  body: Buffer | undefined
  signal: AbortSignal | undefined
}

export interface Http1Answer {
  head: ResponseHead
  body: ChunkSource
}

/** Bytes held unread before the socket is paused. */
const HIGH_WATER = 64 * 1024
const DEFAULT_IDLE_MS = 60_000
const SKIPPED = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive'])

/** The error `fetch` throws for a request that never got an answer. */
function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause })
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('This operation was aborted', 'AbortError')
}

function requestHead(req: Http1Request): string {
  const { url } = req
  let head = `${req.method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${req.headers.host ?? url.host}\r\n`
  head += headerLines(req.headers, SKIPPED)
  if (req.body) head += `content-length: ${req.body.length}\r\n`
  return `${head}connection: keep-alive\r\n\r\n`
}

/** The answer's body: what the parser delivers, queued until read. */
class BodyQueue implements ChunkSource {
  private queue: Buffer[] = []
  private queued = 0
  private ended = false
  private failure: Error | undefined
  private waiting: { resolve(v: Uint8Array | undefined): void; reject(e: Error): void } | undefined

  constructor(private readonly conn: Connection) {}

  push(bytes: Buffer): void {
    const w = this.waiting
    if (w) {
      this.waiting = undefined
      w.resolve(bytes)
      return
    }
    this.queue.push(bytes)
    this.queued += bytes.length
    if (this.queued >= HIGH_WATER) this.conn.socket.pause()
  }

  end(): void {
    this.ended = true
    const w = this.waiting
    this.waiting = undefined
    w?.resolve(undefined)
  }

  fail(err: Error): void {
    if (this.ended || this.failure) return
    this.failure = err
    this.queue = []
    this.queued = 0
    const w = this.waiting
    this.waiting = undefined
    w?.reject(err)
  }

  readNow(): Uint8Array | undefined {
    const next = this.queue.shift()
    if (next === undefined) return undefined
    this.queued -= next.length
    if (this.queued < HIGH_WATER && !this.ended && this.conn.socket.isPaused()) this.conn.socket.resume()
    return next
  }

  read(): Promise<Uint8Array | undefined> {
    const next = this.readNow()
    if (next !== undefined) return Promise.resolve(next)
    if (this.failure) return Promise.reject(this.failure)
    if (this.ended) return Promise.resolve(undefined)
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject }
    })
  }

  async cancel(): Promise<void> {
    if (this.ended) return
    this.fail(new Error('the answer was cancelled'))
    this.conn.socket.destroy()
  }
}

/** One exchange in flight on a connection. */
interface Exchange {
  resolve(answer: Http1Answer): void
  reject(err: Error): void
  body: BodyQueue | undefined
  answered: boolean
  signal: AbortSignal | undefined
  onAbort: () => void
}

class Connection {
  readonly socket: Socket
  reused = false
  private parser: Http1ResponseParser | undefined
  private exchange: Exchange | undefined
  private idleTimer: NodeJS.Timeout | undefined
  private keepAlive = false
  private idleMs = DEFAULT_IDLE_MS
  closed = false

  constructor(
    private readonly pool: Pool,
    url: URL,
  ) {
    const host = url.hostname.replace(/^\[|\]$/g, '')
    const https = url.protocol === 'https:'
    const port = Number(url.port || (https ? 443 : 80))
    if (https) {
      const tls = tlsConnect({
        host,
        port,
        servername: isIP(host) ? undefined : host,
        ALPNProtocols: ['http/1.1'],
        session: pool.tlsSession,
      })
      // The next connection to this origin resumes the session instead of a full handshake.
      tls.on('session', (session: Buffer) => {
        pool.tlsSession = session
      })
      this.socket = tls
    } else this.socket = netConnect({ host, port })
    this.socket.setNoDelay(true)
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk))
    this.socket.on('error', (err) => this.onClose(err))
    this.socket.on('close', () => this.onClose(undefined))
  }

  send(head: string, req: Http1Request, exchange: Exchange): void {
    clearTimeout(this.idleTimer)
    this.socket.ref()
    this.exchange = exchange
    this.parser = new Http1ResponseParser(
      {
        head: (head) => this.onHead(head),
        data: (bytes) => this.exchange?.body?.push(bytes),
        end: () => this.onEnd(),
      },
      req.method === 'HEAD',
    )
    if (req.body && req.body.length > 0) {
      this.socket.cork()
      this.socket.write(head, 'latin1')
      this.socket.write(req.body)
      this.socket.uncork()
    } else this.socket.write(head, 'latin1')
  }

  private onHead(head: ResponseHead): void {
    const ex = this.exchange
    if (!ex) return
    this.keepAlive = head.keepAlive
    if (head.keepAliveSeconds !== undefined)
      this.idleMs = Math.max(0, Math.min(DEFAULT_IDLE_MS, (head.keepAliveSeconds - 1) * 1000))
    ex.answered = true
    ex.body = new BodyQueue(this)
    ex.resolve({ head, body: ex.body })
  }

  private onEnd(): void {
    const ex = this.exchange
    this.exchange = undefined
    if (ex) {
      ex.signal?.removeEventListener('abort', ex.onAbort)
      ex.body?.end()
    }
    if (this.keepAlive && this.idleMs > 0 && !this.closed) {
      this.socket.unref()
      this.idleTimer = setTimeout(() => this.socket.destroy(), this.idleMs)
      this.idleTimer.unref()
      this.reused = true
      this.pool.release(this)
    } else this.socket.destroy()
  }

  private onData(chunk: Buffer): void {
    const parser = this.parser
    if (!parser || parser.done) {
      // Bytes nobody asked for: the connection can no longer be trusted.
      this.socket.destroy()
      return
    }
    try {
      parser.push(chunk)
    } catch (err) {
      const e = err instanceof Http1ParseError ? err : new Http1ParseError(String(err))
      this.fail(e)
      this.socket.destroy()
    }
  }

  private onClose(err: Error | undefined): void {
    if (this.closed) return
    this.closed = true
    clearTimeout(this.idleTimer)
    this.pool.forget(this)
    const parser = this.parser
    if (parser && !parser.done && parser.close()) return
    this.fail(err ?? new Error('the connection closed before the answer ended'))
  }

  private fail(err: Error): void {
    const ex = this.exchange
    this.exchange = undefined
    if (!ex) return
    ex.signal?.removeEventListener('abort', ex.onAbort)
    if (ex.signal?.aborted) {
      const reason = abortError(ex.signal)
      if (ex.answered) ex.body?.fail(reason)
      else ex.reject(reason)
      return
    }
    if (ex.answered) ex.body?.fail(err)
    else ex.reject(err)
  }

  /** Whether the last exchange failed before its answer began (so a reused connection may be retried). */
  get unanswered(): boolean {
    return !this.parser?.started
  }
}

/** The idle connections to one origin, the most recently used last. */
class Pool {
  private readonly idle: Connection[] = []
  /** The last TLS session an https origin gave (Node's https agent resumes them the same way). */
  tlsSession: Buffer | undefined

  take(): Connection | undefined {
    for (let c = this.idle.pop(); c; c = this.idle.pop()) if (!c.closed) return c
    return undefined
  }

  release(conn: Connection): void {
    this.idle.push(conn)
  }

  forget(conn: Connection): void {
    const i = this.idle.indexOf(conn)
    if (i >= 0) this.idle.splice(i, 1)
  }
}

const pools = new Map<string, Pool>()

function poolFor(url: URL): Pool {
  const key = `${url.protocol}//${url.host}`
  let pool = pools.get(key)
  if (!pool) {
    pool = new Pool()
    pools.set(key, pool)
  }
  return pool
}

/**
 * Sends one request; resolves once the answer's head arrived, its body readable from `body`. Rejects with
 * `TypeError('fetch failed')` (the cause attached) when no answer came, or with the signal's reason.
 */
export function http1Request(req: Http1Request, retried = false): Promise<Http1Answer> {
  const { signal } = req
  if (signal?.aborted) return Promise.reject(abortError(signal))
  let head: string
  try {
    head = requestHead(req) // validated before a connection is taken
  } catch (err) {
    return Promise.reject(err)
  }
  const pool = poolFor(req.url)
  const conn = pool.take() ?? new Connection(pool, req.url)
  return new Promise<Http1Answer>((resolve, reject) => {
    const exchange: Exchange = {
      resolve,
      reject: (err) => {
        if (!retried && conn.reused && conn.unanswered && !signal?.aborted) {
          http1Request(req, true).then(resolve, reject)
          return
        }
        reject(signal?.aborted ? abortError(signal) : fetchFailed(err))
      },
      body: undefined,
      answered: false,
      signal,
      onAbort: () => conn.socket.destroy(signal ? abortError(signal) : undefined),
    }
    signal?.addEventListener('abort', exchange.onAbort, { once: true })
    conn.send(head, req, exchange)
  })
}
