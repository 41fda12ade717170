/**
 * One WebSocket per open session, kept alive: it reconnects with backoff and resumes with `?after=<last seq>`,
 * so a dropped connection or a server restart neither duplicates nor loses an event. Events with a `seq` at
 * or below the last one seen are dropped; a jump in `seq` (a gap) makes it reconnect to have the gap replayed.
 */
import { isWireEventType, type WireEvent } from '../../protocol/wire-event'
import { ApiError, serverInfo, token } from './api'

export type { WireEvent }

export type ConnectionState =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'open' }
  | { kind: 'waiting'; attempt: number; retryAt: number; reason: string }
  | { kind: 'closed' }

export interface SessionSocketOptions {
  sessionId: string
  /** Resume after this seq (events up to it are already shown). */
  after: number
  onEvent(event: WireEvent): void
  onState(state: ConnectionState): void
  /** Called before a resumed connection replays, so transient (unpersisted) state can be reset. */
  onReconnect?(): void
}

function parseEvent(raw: unknown): WireEvent | undefined {
  if (typeof raw !== 'string') return undefined
  let v: unknown
  try {
    v = JSON.parse(raw)
  } catch {
    return undefined
  }
  if (typeof v !== 'object' || v === null) return undefined
  const o = v as Record<string, unknown>
  if (typeof o.type !== 'string' || !isWireEventType(o.type)) return undefined
  return {
    type: o.type,
    content: typeof o.content === 'string' ? o.content : undefined,
    data: o.data,
    seq: typeof o.seq === 'number' ? o.seq : undefined,
    timestamp: typeof o.timestamp === 'number' ? o.timestamp : Date.now(),
    sessionId: typeof o.sessionId === 'string' ? o.sessionId : '',
  }
}

export class SessionSocket {
  lastSeq: number
  private ws: WebSocket | undefined
  private attempt = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  private stopped = false
  private everOpened = false
  private readonly wake = () => this.retryNow()

  constructor(private readonly options: SessionSocketOptions) {
    this.lastSeq = options.after
    window.addEventListener('online', this.wake)
    document.addEventListener('visibilitychange', this.wake)
    this.connect()
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN
  }

  send(frame: Record<string, unknown>): boolean {
    if (!this.isOpen || this.ws === undefined) return false
    this.ws.send(JSON.stringify(frame))
    return true
  }

  close(): void {
    this.stopped = true
    clearTimeout(this.timer)
    window.removeEventListener('online', this.wake)
    document.removeEventListener('visibilitychange', this.wake)
    if (this.ws !== undefined) {
      this.ws.onclose = null
      this.ws.close()
    }
    this.options.onState({ kind: 'closed' })
  }

  /** Skips the backoff wait (the network came back, the tab became visible, or the person asked). */
  retryNow(): void {
    if (this.stopped || document.visibilityState === 'hidden') return
    if (this.timer !== undefined && !this.isOpen) {
      clearTimeout(this.timer)
      this.timer = undefined
      this.connect()
    }
  }

  private connect(): void {
    if (this.stopped) return
    this.timer = undefined
    this.options.onState({ kind: 'connecting', attempt: this.attempt })
    const proto = location.protocol === 'https:' ? 'wss' : 'ws'
    const q = new URLSearchParams({ after: String(this.lastSeq) })
    const t = token()
    if (t) q.set('token', t)
    const ws = new WebSocket(
      `${proto}://${location.host}/demo/ws/${encodeURIComponent(this.options.sessionId)}?${q}`,
    )
    this.ws = ws
    ws.onopen = () => {
      this.attempt = 0
      if (this.everOpened) this.options.onReconnect?.()
      this.everOpened = true
      this.options.onState({ kind: 'open' })
    }
    ws.onmessage = (msg) => {
      if (this.stopped || this.ws !== ws) return
      const event = parseEvent(msg.data)
      if (event === undefined) return
      if (event.seq !== undefined) {
        if (event.seq <= this.lastSeq) return
        if (event.seq > this.lastSeq + 1) {
          // A gap: never show events out of order; reconnect so the server replays from lastSeq.
          ws.close(4000, 'gap')
          return
        }
        this.lastSeq = event.seq
      }
      this.options.onEvent(event)
    }
    ws.onclose = (e) => {
      if (this.ws !== ws || this.stopped) return
      const delay = Math.min(8000, 300 * 2 ** this.attempt) * (0.8 + Math.random() * 0.4)
      const attempt = ++this.attempt
      const retryAt = Date.now() + delay
      this.timer = setTimeout(() => this.connect(), e.code === 4000 ? 0 : delay)
      const report = (reason: string) => {
        if (this.ws === ws && !this.stopped && this.timer !== undefined && this.attempt === attempt)
          this.options.onState({ kind: 'waiting', attempt, retryAt, reason })
      }
      if (e.code === 1008) report('the server refused the connection (wrong token or session id)')
      else if (this.everOpened) report('connection lost')
      else void whyRefused().then(report)
    }
  }
}

/**
 * A browser hides why a WebSocket handshake failed (a 401 looks like an unreachable server), so ask the
 * server over HTTP with the same token.
 */
async function whyRefused(): Promise<string> {
  try {
    await serverInfo()
    return 'the server refused the WebSocket'
  } catch (e) {
    if (!(e instanceof ApiError) || e.status === 0) return 'server not reachable'
    if (e.status === 401) return 'needs a token (HTTP 401)'
    return `the server answered HTTP ${e.status}`
  }
}
