/**
 * The router's fast HTTP/1.1 front: a `net` server that answers the hot endpoints itself and hands every other
 * connection to a Node `http.Server`. Node's server spends more CPU per request than a proxied model call's
 * own work (its `IncomingMessage`/`ServerResponse` streams and per-header bookkeeping); here a request whose
 * head is in the strict form of `parseRequestHead` and whose method and path are hot is admitted (or refused)
 * from its head, then read into a string and answered straight on the socket — whole bodies in one write with `Content-Length`, streams chunked with
 * backpressure, the client's departure aborting the call. Anything else — another endpoint, chunked uploads,
 * `Expect`, HTTP/1.0, an odd header — is handed over at a request boundary with the bytes read so far put
 * back, and Node's server answers it and the rest of that connection.
 *
 * Limits as Node's server has them: a 16 KiB head (else Node answers 431), the head within 60 s and the whole
 * request within 300 s, idle keep-alive connections closed after `keepAliveMs`; pipelined requests are
 * answered in order.
 */
import { type Server as HttpServer, STATUS_CODES } from 'node:http'
import { createServer, type Server, type Socket } from 'node:net'
import { type ChunkSource, liteHeaders, outgoingBody } from './chunk-source.js'
import { MAX_REQUEST_HEAD, parseRequestHead, type RequestHead } from './http1-request-head.js'
import { CRLFCRLF, headerLines } from './http1-syntax.js'
import type { HeaderReader } from './incoming-call.js'

export interface FrontCall<P> {
  /** What `admit` let the request in as. */
  principal: P
  method: string
  path: string
  search: string
  headers: HeaderReader
  rawBody: string
  /** Aborted when the client goes away before the answer ended. */
  signal: AbortSignal
}

/** `admit`'s verdict on a request from its head: who it is, or the answer that refuses it. */
export type Admission<P> = { principal: P } | { refused: Response }

export interface FrontOptions<P> {
  /** Whether the front answers this request itself; otherwise the connection goes to `fallback`. */
  hot(method: string, path: string): boolean
  /**
   * Decides on a hot request from its head, before its body is read: nothing of a refused request is
   * buffered, and the connection closes after the refusal. Must not reject.
   */
  admit(head: { headers: HeaderReader; contentLength: number }): Promise<Admission<P>>
  /** The answer to an admitted hot request; must not reject (render errors as answers). */
  handle(call: FrontCall<P>): Promise<Response>
  /** Node's server for everything else: given connections, never listening itself. */
  fallback: HttpServer
  keepAliveMs: number
  /** Called when writing an answer failed (the connection is then closed). */
  onError(err: unknown): void
}

export interface Front {
  server: Server
  /**
   * Stops listening, closes idle connections and resolves once every connection has ended; `force` closes
   * the busy ones too, answers in flight cut off.
   */
  close(force?: boolean): Promise<void>
}

const HEAD_TIMEOUT_MS = 60_000
const REQUEST_TIMEOUT_MS = 300_000
/** Bytes of pipelined requests held while one is answered, before the socket is paused. */
const MAX_HELD = 1024 * 1024
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date'])

let dateSecond = 0
let dateValue = ''
function httpDate(): string {
  const now = Date.now()
  const second = Math.floor(now / 1000)
  if (second !== dateSecond) {
    dateSecond = second
    dateValue = new Date(now).toUTCString()
  }
  return dateValue
}

function answerHead(
  status: number,
  headers: Record<string, string>,
  framing: string,
  keepAlive: string,
): string {
  const head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n${headerLines(headers, HOP_BY_HOP)}`
  return `${head}date: ${httpDate()}\r\n${keepAlive}${framing}\r\n`
}

class FrontConnection<P> {
  private chunks: Buffer[] = []
  private size = 0
  private head: RequestHead | undefined
  private headBytes = 0
  /** Set once `admit` let the current request in. */
  private admitted: { principal: P } | undefined
  private requestStarted = 0
  private busy = false
  /** Aborted when the connection closes: the signal of whichever request it is answering then. */
  private controller: AbortController | undefined
  closing = false
  private held = false
  private readonly keepAliveHeader: string

  constructor(
    readonly socket: Socket,
    private readonly front: FrontServer<P>,
  ) {
    this.keepAliveHeader = `connection: keep-alive\r\nkeep-alive: timeout=${Math.floor(front.options.keepAliveMs / 1000)}\r\n`
    socket.setNoDelay(true)
    socket.setTimeout(front.options.keepAliveMs)
    socket.on('data', this.onData)
    socket.on('timeout', this.onTimeout)
    socket.on('error', this.onError)
    socket.on('close', this.onClose)
  }

  get idle(): boolean {
    return !this.busy && this.size === 0
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.size === 0 && !this.busy) this.requestStarted = Date.now()
    this.chunks.push(chunk)
    this.size += chunk.length
    if (this.busy) {
      if (this.size > MAX_HELD) this.socket.pause()
      return
    }
    this.next()
  }

  private readonly onTimeout = (): void => {
    // A model may think for minutes between two events of a stream: only a connection waiting on its
    // client times out.
    if (!this.busy) this.socket.destroy()
  }

  private readonly onError = (): void => {
    this.socket.destroy()
  }

  private readonly onClose = (): void => {
    this.controller?.abort(new Error('the client closed the connection'))
    this.front.connections.delete(this)
  }

  private joined(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.size)]
    return this.chunks[0] as Buffer
  }

  /** Reads the next request from what arrived, when it is all there. */
  private next(): void {
    if (this.size === 0) return
    if (!this.head) {
      const buf = this.joined()
      const end = buf.indexOf(CRLFCRLF)
      if (end < 0) {
        if (buf.length > MAX_REQUEST_HEAD) this.handOff()
        else if (Date.now() - this.requestStarted > HEAD_TIMEOUT_MS) this.socket.destroy()
        return
      }
      const head = end <= MAX_REQUEST_HEAD ? parseRequestHead(buf.toString('latin1', 0, end)) : undefined
      if (!head || !this.front.options.hot(head.method, head.path)) {
        this.handOff()
        return
      }
      this.head = head
      this.headBytes = end + 4
      this.admit(head)
      return
    }
    if (!this.admitted) return
    const need = this.headBytes + this.head.contentLength
    if (this.size < need) {
      if (Date.now() - this.requestStarted > REQUEST_TIMEOUT_MS) this.socket.destroy()
      return
    }
    const buf = this.joined()
    const rawBody = buf.toString('utf8', this.headBytes, need)
    const rest = need === buf.length ? undefined : buf.subarray(need)
    this.chunks = rest ? [rest] : []
    this.size = rest ? rest.length : 0
    const head = this.head
    const { principal } = this.admitted
    this.head = undefined
    this.admitted = undefined
    this.answer(head, rawBody, principal)
  }

  private admit(head: RequestHead): void {
    this.busy = true
    this.front.options.admit(head).then((admission) => {
      this.busy = false
      if ('refused' in admission) {
        this.head = undefined
        this.busy = true
        this.write(admission.refused, false).then(
          () => this.done(false),
          () => this.socket.destroy(),
        )
        return
      }
      this.admitted = admission
      if (this.socket.isPaused()) this.socket.resume()
      this.next()
    }, this.fail)
  }

  private readonly fail = (err: unknown): void => {
    this.front.options.onError(err)
    this.socket.destroy()
  }

  /** Gives the connection, with the bytes of the unanswered request put back, to Node's server. */
  private handOff(): void {
    const socket = this.socket
    socket.off('data', this.onData)
    socket.off('timeout', this.onTimeout)
    socket.off('error', this.onError)
    socket.off('close', this.onClose)
    socket.setTimeout(0)
    this.front.connections.delete(this)
    if (this.size > 0) socket.unshift(this.joined())
    this.chunks = []
    this.size = 0
    this.front.options.fallback.emit('connection', socket)
  }

  private answer(head: RequestHead, rawBody: string, principal: P): void {
    this.busy = true
    // One per connection: it can only abort by closing, and then no later request comes on it.
    this.controller ??= new AbortController()
    const controller = this.controller
    this.front.options
      .handle({
        principal,
        method: head.method,
        path: head.path,
        search: head.search,
        headers: head.headers,
        rawBody,
        signal: controller.signal,
      })
      .then((response) => this.write(response, head.keepAlive && !this.closing))
      .then((keepAlive) => this.done(keepAlive), this.fail)
  }

  private done(keepAlive: boolean): void {
    this.busy = false
    if (!keepAlive || this.closing) {
      this.socket.end()
      return
    }
    if (this.socket.isPaused()) this.socket.resume()
    if (this.size > 0) this.requestStarted = Date.now()
    this.next()
  }

  /** Writes the answer; resolves whether the connection stays open. */
  private async write(response: Response, keepAlive: boolean): Promise<boolean> {
    const socket = this.socket
    if (socket.destroyed) return false
    const headers = liteHeaders(response)
    const connection = keepAlive ? this.keepAliveHeader : 'connection: close\r\n'
    const body = await outgoingBody(response)
    if (body.whole) {
      const head = answerHead(
        response.status,
        headers,
        `content-length: ${body.whole.length}\r\n`,
        connection,
      )
      this.hold()
      socket.write(head, 'latin1')
      if (body.whole.length > 0) socket.write(body.whole)
      return keepAlive
    }
    const head = answerHead(response.status, headers, 'transfer-encoding: chunked\r\n', connection)
    return this.pump(body.source, head, keepAlive)
  }

  /**
   * Holds writes until this event-loop turn ends, so everything an answer produces meanwhile — usually the
   * last events and the terminating chunk — leaves in one write.
   */
  private hold(): void {
    if (this.held) return
    this.held = true
    this.socket.cork()
    setImmediate(this.release)
  }

  private readonly release = (): void => {
    if (!this.held) return
    this.held = false
    this.socket.uncork()
  }

  private async pump(source: ChunkSource, head: string, keepAlive: boolean): Promise<boolean> {
    const socket = this.socket
    let ended = false
    const onClose = () => {
      if (!ended) source.cancel().catch(() => {})
    }
    socket.once('close', onClose)
    this.hold()
    socket.write(head, 'latin1')
    try {
      for (;;) {
        let value = source.readNow?.()
        if (value === undefined) {
          if (socket.writableNeedDrain) {
            this.release()
            await untilWritable(socket)
          }
          if (socket.destroyed) return false
          value = await source.read()
          if (socket.destroyed) return false
          this.hold()
          if (value === undefined) break
        }
        if (value.length === 0) continue
        socket.write(`${value.length.toString(16)}\r\n`, 'latin1')
        socket.write(value)
        socket.write('\r\n', 'latin1')
      }
      ended = true
      socket.write('0\r\n\r\n', 'latin1')
      return keepAlive
    } catch {
      // The answer broke after its head went out: closing the connection is how the client learns.
      ended = true
      this.release()
      socket.destroy()
      return false
    } finally {
      socket.off('close', onClose)
    }
  }
}

/** What `untilWritable` waits on: a socket, or Node's `ServerResponse`. */
interface Drainable {
  readonly destroyed: boolean
  readonly writableNeedDrain: boolean
  on(event: 'drain' | 'close', listener: () => void): unknown
  off(event: 'drain' | 'close', listener: () => void): unknown
}

/**
 * Resolves once `stream` takes writes again (`drain`) or never will (closed, or destroyed already), and
 * leaves no listener behind: a long answer to a slow reader waits here over and over on one connection.
 */
export function untilWritable(stream: Drainable): Promise<void> {
  if (stream.destroyed || !stream.writableNeedDrain) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done)
      stream.off('close', done)
      resolve()
    }
    stream.on('drain', done)
    stream.on('close', done)
  })
}

class FrontServer<P> implements Front {
  readonly server: Server
  readonly connections = new Set<FrontConnection<P>>()

  constructor(readonly options: FrontOptions<P>) {
    this.server = createServer((socket) => {
      this.connections.add(new FrontConnection(socket, this))
    })
    // Node's server tracks the connections it is given (idle closing, its own timeouts) once it is told it
    // listens; it never listens itself.
    options.fallback.emit('listening')
  }

  close(force = false): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => {
        clearInterval(sweep)
        resolve()
      })
      const closeIdle = () => {
        if (force) this.options.fallback.closeAllConnections()
        else this.options.fallback.closeIdleConnections()
        for (const c of this.connections) {
          c.closing = true
          if (force || c.idle) c.socket.destroy()
        }
      }
      closeIdle()
      // Connections busy now close after their answer; those Node's server holds are swept when idle.
      const sweep = setInterval(closeIdle, 50)
    })
  }
}

/** A front for `options` (see the module comment); call `server.listen` to start it. */
export function createFront<P>(options: FrontOptions<P>): Front {
  return new FrontServer(options)
}
