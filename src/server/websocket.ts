/**
 * `GET /demo/ws/:sessionId?after=N[&token=T]`: the WebSocket API of DESIGN.md. On connect the client gets every
 * persisted event after N, a status snapshot, then live events. Inbound frames are validated; a bad frame gets
 * an `error` frame (not persisted) and changes nothing.
 */
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { type RawData, WebSocket, WebSocketServer } from 'ws'
import type { AgentService } from '../agent/agent-service.js'
import { handleInboundFrame } from '../agent/inbound-frames.js'
import { toAppError } from '../protocol/errors.js'
import { type OutboundEvent, SESSION_ID_PATTERN } from '../protocol/events.js'
import { tokensEqual } from './auth.js'
import type { Logger } from './logger.js'
import type { RateLimiter } from './rate-limit.js'

const PATH = /^\/demo\/ws\/([^/?]*)$/
/** Largest inbound frame, in bytes. */
const MAX_FRAME_BYTES = 1024 * 1024
/** How long a refused upgrade's connection stays open for the client to read the answer and close. */
const REFUSED_LINGER_MS = 5_000
/** A client that lets this much pile up unsent is too slow; it is closed and can reconnect with its last seq. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024

export interface WebSocketOptions {
  agent: AgentService
  authToken: string | undefined
  logger: Logger
  /** Origins (`https://host:port`) allowed besides the server's own host; `*` allows any. */
  allowedOrigins?: readonly string[]
  /** Limits turns started per token or client address. */
  turnLimiter?: RateLimiter
  /** Told when a connection opens (+1) or closes (-1), for metrics. */
  onConnection?: (delta: 1 | -1) => void
}

const REASONS: Record<number, [string, string]> = {
  400: ['Bad Request', 'invalid_request_error'],
  401: ['Unauthorized', 'authentication_error'],
  403: ['Forbidden', 'permission_error'],
  404: ['Not Found', 'not_found_error'],
}

/**
 * Answers an upgrade with an HTTP error and closes the connection. What the client still sends is read and
 * dropped, so its close is seen and the answer is not lost to a reset; a client that does not close within
 * REFUSED_LINGER_MS is cut off rather than holding the socket for good.
 */
function reject(socket: Duplex, status: 400 | 401 | 403 | 404, message: string): void {
  const [reason, type] = REASONS[status]!
  const body = JSON.stringify({ error: { type, message } })
  socket.resume()
  const linger = setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref()
  socket.once('close', () => clearTimeout(linger))
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  )
}

/**
 * Browsers send `Origin` on WebSocket upgrades and apply no CORS to them, so without this check any page the
 * user visits could drive their sessions. Same-host origins and listed ones pass; clients that send no Origin
 * (programs, not browsers) pass too.
 */
export function originAllowed(req: IncomingMessage, allowed: readonly string[] = []): boolean {
  const origin = req.headers.origin
  if (origin === undefined || allowed.includes('*')) return true
  let host: string
  try {
    host = new URL(origin).host
  } catch {
    return false
  }
  return host === req.headers.host || allowed.includes(origin)
}

export function attachWebSocket(
  server: Server,
  options: WebSocketOptions,
): { close(): void; clients(): number } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES })
  const { agent, logger } = options

  // ws only emits this when it owns the HTTP server; listened to so that a future source cannot end the process.
  wss.on('error', (err) => logger.error({ err: err.message }, 'websocket server error'))

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node's HTTP server takes its error listener off a socket it hands to 'upgrade', and ws adds one only while
    // it owns the socket: a reset during a refusal, or an error ws passes on, would otherwise end the process.
    socket.on('error', () => socket.destroy())
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://localhost')
    } catch {
      return reject(socket, 400, 'the request target is not a valid URL')
    }
    const match = PATH.exec(url.pathname)
    if (!match) return reject(socket, 404, `no WebSocket endpoint at ${url.pathname.slice(0, 200)}`)
    if (!originAllowed(req, options.allowedOrigins)) {
      return reject(socket, 403, 'this Origin may not open a WebSocket here; add it to ALLOWED_ORIGINS')
    }
    if (
      options.authToken !== undefined &&
      !tokensEqual(url.searchParams.get('token') ?? undefined, options.authToken)
    ) {
      return reject(socket, 401, 'missing or wrong token: connect with ?token=<AUTH_TOKEN>')
    }
    const afterParam = url.searchParams.get('after') ?? '0'
    const after = Number(afterParam)
    if (!/^\d+$/.test(afterParam) || !Number.isSafeInteger(after)) {
      return reject(socket, 400, 'after must be a whole number >= 0')
    }
    let sessionId: string
    try {
      sessionId = decodeURIComponent(match[1] ?? '')
    } catch {
      sessionId = ''
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // From the moment it exists: a frame over maxPayload, bad framing or a reset is an 'error' event, also on a
      // connection that is being closed below.
      ws.on('error', (err) =>
        logger.warn({ sessionId: sessionId.slice(0, 80), err: err.message }, 'websocket error'),
      )
      if (!SESSION_ID_PATTERN.test(sessionId)) {
        ws.close(1008, 'invalid session id: use 1-64 of A-Z a-z 0-9 _ -')
        return
      }
      connect(ws, sessionId, after, url.searchParams.get('token') ?? req.socket.remoteAddress ?? 'unknown')
    })
  })

  function connect(ws: WebSocket, sessionId: string, after: number, limitKey: string): void {
    const actor = agent.session(sessionId)
    options.onConnection?.(1)
    const send = (event: OutboundEvent) => {
      if (ws.readyState !== WebSocket.OPEN) return
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        ws.close(1013, 'client too slow; reconnect with ?after=<last seq>')
        return
      }
      ws.send(JSON.stringify(event))
    }
    const sendError = (message: string) =>
      send({ type: 'error', content: message, timestamp: Date.now(), sessionId })
    const unsubscribe = actor.subscribe(send, after)
    logger.info({ sessionId, after }, 'websocket connected')

    ws.on('message', (raw: RawData, isBinary: boolean) => {
      if (isBinary) return sendError('binary frames are not accepted; send JSON text frames')
      handleInboundFrame(actor, raw.toString(), {
        sendError,
        admitTurn: () => {
          const verdict = options.turnLimiter?.take(limitKey) ?? { ok: true }
          if (verdict.ok) return { ok: true }
          return {
            ok: false,
            message: `too many turns started; try again in ${Math.ceil(verdict.retryAfterMs / 1000)} s`,
          }
        },
        onTurnFailure: (err) => logger.error({ sessionId, err: toAppError(err).message }, 'turn failed'),
      })
    })
    ws.on('close', () => {
      unsubscribe()
      options.onConnection?.(-1)
      logger.info({ sessionId }, 'websocket closed')
    })
  }

  return {
    close: () => {
      for (const client of wss.clients) client.close(1001, 'server shutting down')
      wss.close()
    },
    clients: () => wss.clients.size,
  }
}
