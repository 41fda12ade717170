/**
 * Serves the router alone on Node (`agent-router router`): the hot endpoints (`POST /v1/messages`,
 * `POST /v1/chat/completions`) are admitted from their head (token checked, body at most 32 MiB) before
 * their body is read, and answered straight on the socket by the router's HTTP/1.1 front (`http1-front.ts`);
 * everything else goes through Node's server to the Hono app (`@hono/node-server`). Upstream calls use
 * `nodeHttpFetch` unless `options.fetch` is given. Web `Request`s, Node's HTTP streams and the bundled
 * `fetch` were most of the router's added latency (see bench/README.md). Node-only.
 */
import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo, Server } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import { AppError } from '../protocol/errors.js'
import { MAX_ROUTER_BODY_BYTES, routerAppFor, tooLarge } from './app.js'
import { type ChunkSource, liteHeaders, outgoingBody } from './chunk-source.js'
import { errorResponse } from './error-response.js'
import { type Admission, createFront, type Front, untilWritable } from './http1-front.js'
import type { HeaderReader, IncomingCall } from './incoming-call.js'
import { nodeHttpFetch } from './node-http-fetch.js'
import { createRouterCore, type RouterCore } from './router-core.js'
import type { RouterOptions, RouterPrincipal } from './router-options.js'

type Listener = (req: IncomingMessage, res: ServerResponse) => void

/** The body as text; `undefined` once it grows over the limit (the rest is not read). */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_ROUTER_BODY_BYTES) {
        req.pause()
        resolve(undefined)
      } else parts.push(chunk)
    })
    req.on('end', () =>
      resolve(
        parts.length === 1 ? (parts[0] as Buffer).toString('utf8') : Buffer.concat(parts).toString('utf8'),
      ),
    )
    req.on('error', reject)
  })
}

/** Reads Node's parsed headers (names already lower case) the way `Headers.get` does. */
function requestHeaders(req: IncomingMessage): HeaderReader {
  return {
    get(name: string): string | null {
      const value = req.headers[name.toLowerCase()]
      if (value === undefined) return null
      return Array.isArray(value) ? value.join(', ') : value
    },
  }
}

/**
 * Writes a `Response` (or our `LiteResponse`) to a Node response, pausing on backpressure and cancelling when
 * the client leaves.
 */
export async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers = liteHeaders(response)
  const body = await outgoingBody(response)
  if (body.whole) {
    res.writeHead(response.status, { ...headers, 'content-length': String(body.whole.length) })
    res.end(body.whole)
    return
  }
  res.writeHead(response.status, headers)
  await pump(body.source, res)
}

async function pump(source: ChunkSource, res: ServerResponse): Promise<void> {
  const onClose = () => {
    if (!res.writableFinished) source.cancel().catch(() => {})
  }
  res.on('close', onClose)
  try {
    for (;;) {
      const value = await source.read()
      if (value === undefined) break
      if (!res.write(value)) await untilWritable(res)
      if (res.destroyed) return
    }
    res.end()
  } catch {
    res.destroy()
  } finally {
    res.off('close', onClose)
  }
}

const HOT = new Set(['/v1/messages', '/v1/chat/completions'])

function logError(core: RouterCore, err: unknown): void {
  core.logger.error({ error: err instanceof Error ? err.message : String(err) }, 'router error')
}

/** Who a hot request is, from its head; or the answer refusing it, before its body is read. */
async function admit(
  core: RouterCore,
  head: { headers: HeaderReader; contentLength: number },
): Promise<Admission<RouterPrincipal>> {
  if (head.contentLength > MAX_ROUTER_BODY_BYTES) return { refused: errorResponse(tooLarge()) }
  try {
    const principal = await core.authenticate(head.headers)
    if (principal) return { principal }
    const err = new AppError(
      'authentication_error',
      'invalid or missing router token (Authorization: Bearer or x-api-key)',
    )
    return { refused: errorResponse(err) }
  } catch (err) {
    logError(core, err)
    return { refused: errorResponse(err) }
  }
}

/** Answers an admitted hot call; every failure comes back as an error answer. */
async function answerCall(
  core: RouterCore,
  path: string,
  call: IncomingCall,
  principal: RouterPrincipal,
): Promise<Response> {
  try {
    return path === '/v1/messages'
      ? await core.messages(call, principal)
      : await core.chatCompletions(call, principal)
  } catch (err) {
    logError(core, err)
    return errorResponse(err)
  }
}

async function answerHot(
  core: RouterCore,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const controller = new AbortController()
  res.on('close', () => {
    if (!res.writableFinished) controller.abort()
  })
  const headers = requestHeaders(req)
  // A chunked upload declares no length: the limit is then checked while reading.
  const admission = await admit(core, { headers, contentLength: Number(req.headers['content-length'] ?? 0) })
  if ('refused' in admission) {
    res.shouldKeepAlive = false
    return writeResponse(admission.refused, res)
  }
  const rawBody = await readBody(req)
  if (rawBody === undefined) {
    res.shouldKeepAlive = false
    return writeResponse(errorResponse(tooLarge()), res)
  }
  const url = req.url ?? '/'
  const q = url.indexOf('?')
  const call: IncomingCall = {
    rawBody,
    headers,
    search: q < 0 ? '' : url.slice(q),
    signal: controller.signal,
  }
  return writeResponse(await answerCall(core, path, call, admission.principal), res)
}

function listenerFor(core: RouterCore): Listener {
  // Keep the platform's Response: the adapter's lighter one is rebuilt into a real one whenever a body is read.
  const fallback = getRequestListener(routerAppFor(core).fetch, { overrideGlobalObjects: false })
  return (req, res) => {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q < 0 ? url : url.slice(0, q)
    if (req.method !== 'POST' || !HOT.has(path)) {
      fallback(req, res)
      return
    }
    answerHot(core, path, req, res).catch((err: unknown) => {
      logError(core, err)
      if (!res.headersSent) writeResponse(errorResponse(err), res).catch(() => res.destroy())
      else res.destroy()
    })
  }
}

/** A `node:http` request listener for the router served at `/`. */
export function routerRequestListener(options: RouterOptions): Listener {
  return listenerFor(createRouterCore({ ...options, fetch: options.fetch ?? nodeHttpFetch }))
}

const KEEP_ALIVE_MS = 65_000

/**
 * The router's HTTP/1.1 front (`http1-front.ts`) over `core`, its endpoints under `prefix` ('' or `/llm`):
 * the hot ones answered on the socket, every other request by `fallback`. Call `server.listen` to start it.
 */
export function routerFront(core: RouterCore, prefix: string, fallback: HttpServer): Front {
  fallback.keepAliveTimeout = KEEP_ALIVE_MS
  return createFront({
    hot: (method, path) => method === 'POST' && path.startsWith(prefix) && HOT.has(path.slice(prefix.length)),
    admit: (head) => admit(core, head),
    handle: (call) => answerCall(core, call.path.slice(prefix.length), call, call.principal),
    fallback,
    keepAliveMs: KEEP_ALIVE_MS,
    onError: (err) => logError(core, err),
  })
}

/**
 * Listens on `port`/`hostname` (port 0 picks a free one); resolves once listening. The hot endpoints are
 * answered by the router's own HTTP/1.1 front, every other request by Node's server.
 */
export async function serveRouter(
  options: RouterOptions,
  listen: { port: number; hostname?: string },
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const core = createRouterCore({ ...options, fetch: options.fetch ?? nodeHttpFetch })
  const front = routerFront(core, '', createHttpServer(listenerFor(core)))
  const server = front.server
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(listen.port, listen.hostname ?? '127.0.0.1', () => resolve())
  })
  return { server, port: (server.address() as AddressInfo).port, close: () => front.close() }
}
