/**
 * An incremental parser for HTTP/1.1 responses as an upstream client reads them: the status line and headers,
 * then the body framed by `Content-Length`, chunked transfer coding (with chunk extensions and trailers) or
 * the connection's close, skipping interim 1xx answers. Body bytes come out as zero-copy slices of what was
 * pushed, merged into one piece per `push` so one socket read stays one chunk downstream. Pure: the router's
 * upstream client (`http1-client.ts`) feeds it socket reads.
 */

import { CRLFCRLF, splitHeaderLine } from './http1-syntax.js'

export class Http1ParseError extends Error {}

export interface ResponseHead {
  status: number
  statusText: string
  /** Names and values alternating, as received (names in their original case). */
  rawHeaders: string[]
  /** Whether the connection may carry another request after this answer. */
  keepAlive: boolean
  /** Seconds the server keeps an idle connection open (`Keep-Alive: timeout=`), when it said. */
  keepAliveSeconds: number | undefined
}

export interface ResponseHandlers {
  head(head: ResponseHead): void
  data(bytes: Buffer): void
  end(): void
}

const MAX_HEAD = 80 * 1024
const MAX_LINE = 4 * 1024
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/
const HEX = /^[0-9a-fA-F]{1,12}(?=[\t ;]|$)/

enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilClose,
  Done,
}

export class Http1ResponseParser {
  private state = State.Head
  private pendingHead: Buffer | undefined
  private line = ''
  private remaining = 0
  private pieces: Buffer[] = []

  /** `bodiless`: the request was a HEAD, so no answer has a body whatever its headers say. */
  constructor(
    private readonly on: ResponseHandlers,
    private readonly bodiless = false,
  ) {}

  get done(): boolean {
    return this.state === State.Done
  }

  /** Whether anything of an answer has been read yet. */
  get started(): boolean {
    return this.state !== State.Head || this.pendingHead !== undefined
  }

  /** Feeds one socket read; throws `Http1ParseError` on a malformed answer. Bytes after the answer are an error. */
  push(chunk: Buffer): void {
    let at = 0
    while (at < chunk.length) {
      switch (this.state) {
        case State.Head:
          at = this.readHead(chunk, at)
          break
        case State.Length:
        case State.ChunkData: {
          // `remaining` bytes of the body or of the current chunk.
          const n = Math.min(this.remaining, chunk.length - at)
          this.pieces.push(chunk.subarray(at, at + n))
          at += n
          this.remaining -= n
          if (this.remaining > 0) break
          if (this.state === State.Length) this.finish()
          else this.state = State.ChunkEnd
          break
        }
        case State.UntilClose:
          this.pieces.push(at === 0 ? chunk : chunk.subarray(at))
          at = chunk.length
          break
        case State.ChunkSize:
        case State.ChunkEnd:
        case State.Trailers:
          at = this.readLine(chunk, at)
          break
        case State.Done:
          throw new Http1ParseError('the server sent bytes after its answer ended')
      }
    }
    this.flush()
  }

  /** The connection closed: ends a close-delimited body; `false` when the answer was cut short. */
  close(): boolean {
    if (this.state === State.UntilClose) {
      this.flush()
      this.finish()
    }
    return this.state === State.Done
  }

  private flush(): void {
    const pieces = this.pieces
    if (pieces.length === 0) return
    this.pieces = []
    this.on.data(pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces))
  }

  private finish(): void {
    this.flush()
    this.state = State.Done
    this.on.end()
  }

  private readHead(chunk: Buffer, at: number): number {
    const pending = this.pendingHead
    const buf = pending ? Buffer.concat([pending, chunk.subarray(at)]) : chunk
    const from = pending ? 0 : at
    const end = buf.indexOf(CRLFCRLF, from)
    if (end < 0) {
      if (buf.length - from > MAX_HEAD) throw new Http1ParseError('the answer head is over 80 KiB')
      this.pendingHead = pending ? buf : Buffer.from(chunk.subarray(at))
      return chunk.length
    }
    this.pendingHead = undefined
    this.parseHead(buf.toString('latin1', from, end))
    // Where the body starts within `chunk`.
    const consumedOfBuf = end + 4 - from
    return at + consumedOfBuf - (pending ? pending.length : 0)
  }

  private parseHead(text: string): void {
    const lines = text.split('\r\n')
    const status = STATUS_LINE.exec(lines[0] as string)
    if (!status)
      throw new Http1ParseError(`not an HTTP/1.x status line: ${(lines[0] as string).slice(0, 80)}`)
    const minor = status[1]
    const code = Number(status[2])
    const rawHeaders: string[] = []
    let contentLength: number | undefined
    let chunked = false
    let transferCoded = false
    let connection = ''
    let keepAliveSeconds: number | undefined
    for (let i = 1; i < lines.length; i++) {
      const header = splitHeaderLine(lines[i] as string)
      if (!header) throw new Http1ParseError(`malformed header line: ${(lines[i] as string).slice(0, 80)}`)
      const [name, value] = header
      rawHeaders.push(name, value)
      switch (name.length) {
        case 10:
          if (name.toLowerCase() === 'connection') connection += `${value.toLowerCase()},`
          else if (name.toLowerCase() === 'keep-alive') {
            const t = /(?:^|[,;\s])timeout=(\d+)/i.exec(value)
            if (t) keepAliveSeconds = Number(t[1])
          }
          break
        case 14:
          if (name.toLowerCase() === 'content-length') {
            if (!/^\d{1,15}$/.test(value)) throw new Http1ParseError(`bad Content-Length: ${value}`)
            const n = Number(value)
            if (contentLength !== undefined && contentLength !== n)
              throw new Http1ParseError('conflicting Content-Length headers')
            contentLength = n
          }
          break
        case 17:
          if (name.toLowerCase() === 'transfer-encoding') {
            transferCoded = true
            chunked = /(?:^|,)\s*chunked\s*$/i.test(value)
          }
          break
      }
    }
    if (code >= 100 && code < 200 && code !== 101) return // interim answer: the real head follows
    const head: ResponseHead = {
      status: code,
      statusText: status[3] ?? '',
      rawHeaders,
      keepAlive:
        minor === '1' ? !/(?:^|,)\s*close\s*,/.test(connection) : /(?:^|,)\s*keep-alive\s*,/.test(connection),
      keepAliveSeconds,
    }
    if (this.bodiless || code === 204 || code === 304 || code === 101) {
      this.on.head(head)
      this.finish()
      return
    }
    if (transferCoded) {
      if (!chunked) head.keepAlive = false
      this.on.head(head)
      this.state = chunked ? State.ChunkSize : State.UntilClose
      return
    }
    if (contentLength !== undefined) {
      this.on.head(head)
      if (contentLength === 0) this.finish()
      else {
        this.remaining = contentLength
        this.state = State.Length
      }
      return
    }
    head.keepAlive = false
    this.on.head(head)
    this.state = State.UntilClose
  }

  /** Reads up to the end of one line (chunk size, chunk end or trailer) and acts on it. */
  private readLine(chunk: Buffer, at: number): number {
    const nl = chunk.indexOf(10, at)
    const end = nl < 0 ? chunk.length : nl
    this.line += chunk.toString('latin1', at, end)
    if (this.line.length > MAX_LINE) throw new Http1ParseError('a chunk-size or trailer line is over 4 KiB')
    if (nl < 0) return chunk.length
    const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line
    this.line = ''
    switch (this.state) {
      case State.ChunkEnd:
        if (line !== '') throw new Http1ParseError('a chunk did not end with CRLF')
        this.state = State.ChunkSize
        break
      case State.ChunkSize: {
        const hex = HEX.exec(line)
        if (!hex) throw new Http1ParseError(`bad chunk size: ${line.slice(0, 40)}`)
        const size = Number.parseInt(hex[0], 16)
        if (size === 0) this.state = State.Trailers
        else {
          this.remaining = size
          this.state = State.ChunkData
        }
        break
      }
      case State.Trailers:
        if (line === '') this.finish()
        break
    }
    return nl + 1
  }
}
