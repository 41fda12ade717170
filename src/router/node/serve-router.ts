/**
 * Serves the router's one Hono app (`app.ts`) on Node through Node's own HTTP server (`@hono/node-server`):
 * on TCP for `agent-router router`, and under `/llm` on the sandboxes' unix socket (`server/start.ts`). The
 * adapter turns each `IncomingMessage` into a `Request` and pipes the `Response` body to the socket with
 * backpressure. Node's server stops reading a connection whose answers are not being read, and runs nothing
 * a client sent after `connection: close` (the parser refuses it and the connection is closed). Upstream calls
 * go through undici (`nodeUpstream`) unless `options.fetch` or `options.upstream` is given. Node-only.
 */
import { type Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { Hono } from 'hono'
import { routerAppFor } from '../app.js'
import { createRouterCore, type RouterCore } from '../router-core.js'
import type { RouterOptions } from '../router-options.js'
import { nodeRequestReader } from './node-request-reader.js'
import { nodeUpstream } from './node-upstream.js'

const KEEP_ALIVE_MS = 65_000

/**
 * The adapter flushes a streamed answer's head on its own before the body. The router streams only through
 * dispatch, which holds the first chunk before it answers, so the head can go out with that chunk: one
 * write (one packet, one wake-up of the client) fewer per streamed answer.
 */
class HeadWithFirstChunk extends ServerResponse {
  override flushHeaders(): void {}
}

/** A Node HTTP server over the router app of `core`, its endpoints under `prefix` ('' or `/llm`). */
export function routerServer(core: RouterCore, prefix = ''): Server {
  const app = routerAppFor(core, nodeRequestReader)
  const fetch = prefix === '' ? app.fetch : new Hono().route(prefix, app).fetch
  const server = createAdaptorServer({
    fetch,
    serverOptions: { ServerResponse: HeadWithFirstChunk as typeof ServerResponse },
  }) as Server
  server.keepAliveTimeout = KEEP_ALIVE_MS
  return server
}

/** Stops `server`; `force` also cuts off answers still streaming. */
export function closeServer(server: Server, force = false): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    if (force) server.closeAllConnections()
    else server.closeIdleConnections()
  })
}

/** The router core with the Node host's way upstream unless another is given. */
export function nodeRouterCore(options: RouterOptions): RouterCore {
  return createRouterCore(
    options.fetch || options.upstream ? options : { ...options, upstream: nodeUpstream },
  )
}

/** Listens on `port`/`hostname` (port 0 picks a free one); resolves once listening. */
export async function serveRouter(
  options: RouterOptions,
  listen: { port: number; hostname?: string },
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = routerServer(nodeRouterCore(options))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(listen.port, listen.hostname ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  return { server, port: (server.address() as AddressInfo).port, close: () => closeServer(server, true) }
}
