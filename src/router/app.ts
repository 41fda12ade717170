/**
 * The router as a Hono app, with routes relative to its mount point (`/llm` in the main server, `/` when
 * served alone): `POST /v1/messages`, `POST /v1/messages/count_tokens`, `POST /v1/chat/completions`,
 * `GET /v1/models`, `GET /usage`, `GET /metrics`, `GET /health`. Errors answer in Anthropic's shape (OpenAI's
 * on the chat-completions endpoint).
 */
import { type Context, Hono } from 'hono'
import { AppError, toAppError } from '../protocol/errors.js'
import { createRouterCore, type RouterCore } from './router-core.js'
import type { RouterOptions, RouterPrincipal } from './router-options.js'
import { anthropicErrorBody, errorResponse } from './wire/error-response.js'
import { type HeaderReader, type IncomingCall, incomingFromRequest } from './wire/incoming-call.js'
import { jsonResponse } from './wire/json-response.js'

/** The largest request body the router reads: Anthropic's own limit for a Messages request. */
export const MAX_ROUTER_BODY_BYTES = 32 * 1024 * 1024

/**
 * How a host reads a request: the web-standard `Request` by default; the Node host reads the same parts off
 * Node's `IncomingMessage` (`node/node-request-reader.ts`), which spares a web `Request`, its body stream and
 * its signal on every call. Either way the body is refused with a 413 once it is over `maxBytes`.
 */
export interface RequestReader {
  headers(c: Context): HeaderReader
  incoming(c: Context, maxBytes: number): Promise<IncomingCall>
}

export const webRequestReader: RequestReader = {
  headers: (c) => c.req.raw.headers,
  incoming: (c, maxBytes) => incomingFromRequest(c.req.raw, maxBytes),
}

export function createRouterApp(options: RouterOptions): Hono {
  return routerAppFor(createRouterCore(options))
}

/** The Hono app over an existing core (the main server mounts it at `/llm` and serves it on a unix socket). */
export function routerAppFor(core: RouterCore, reader: RequestReader = webRequestReader): Hono {
  // Who made each request, set by the auth middleware for the handlers after it.
  const principals = new WeakMap<Request, RouterPrincipal>()
  const principalOf = (req: Request) => principals.get(req) ?? {}
  const app = new Hono()

  app.onError((err, c) => {
    const appError = toAppError(err)
    if (appError.status >= 500)
      core.logger.error({ type: appError.type, error: appError.message, path: c.req.path }, 'router error')
    return errorResponse(appError)
  })
  app.notFound((c) =>
    jsonResponse(
      anthropicErrorBody(new AppError('not_found_error', `no such endpoint: ${c.req.method} ${c.req.path}`)),
      { status: 404 },
    ),
  )

  // The config's warnings name keys and models, never values or addresses.
  app.get('/health', (c) => c.json({ status: 'ok', warnings: core.warnings }))

  app.use('*', async (c, next) => {
    if (c.req.path.endsWith('/health')) return next()
    const principal = await core.authenticate(reader.headers(c))
    if (!principal) {
      throw new AppError(
        'authentication_error',
        'invalid or missing router token (Authorization: Bearer or x-api-key)',
      )
    }
    principals.set(c.req.raw, principal)
    return next()
  })

  // Read after the token check: nobody without a token makes the router read a body.
  const incoming = (c: Context) => reader.incoming(c, MAX_ROUTER_BODY_BYTES)
  app.post('/v1/messages', async (c) => core.messages(await incoming(c), principalOf(c.req.raw)))
  app.post('/v1/messages/count_tokens', async (c) => core.countTokens(await incoming(c)))
  app.post('/v1/chat/completions', async (c) =>
    core.chatCompletions(await incoming(c), principalOf(c.req.raw)),
  )
  app.get('/usage', (c) =>
    core.usage(principalOf(c.req.raw), { sessionId: c.req.query('sessionId'), limit: c.req.query('limit') }),
  )
  app.get('/metrics', () => core.metrics())
  app.get('/v1/models', () => core.models())

  return app
}
