/**
 * The router as a Hono app, with routes relative to its mount point (`/llm` in the main server, `/` when
 * served alone): `POST /v1/messages`, `POST /v1/messages/count_tokens`, `POST /v1/chat/completions`,
 * `GET /v1/models`, `GET /usage`, `GET /metrics`, `GET /health`. Errors answer in Anthropic's shape (OpenAI's
 * on the chat-completions endpoint).
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { AppError, toAppError } from '../protocol/errors.js'
import { createRouterCore, type RouterCore } from './router-core.js'
import type { RouterOptions, RouterPrincipal } from './router-options.js'
import { anthropicErrorBody, errorResponse } from './wire/error-response.js'
import { incomingFromRequest } from './wire/incoming-call.js'

/** The largest request body the router reads: Anthropic's own limit for a Messages request. */
export const MAX_ROUTER_BODY_BYTES = 32 * 1024 * 1024

const tooLarge = () =>
  new AppError('request_too_large', `the request body is over ${MAX_ROUTER_BODY_BYTES / 1024 / 1024} MiB`)

export function createRouterApp(options: RouterOptions): Hono {
  return routerAppFor(createRouterCore(options))
}

/** The Hono app over an existing core (the main server mounts it at `/llm` and serves it on a unix socket). */
export function routerAppFor(core: RouterCore): Hono {
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
    Response.json(
      anthropicErrorBody(new AppError('not_found_error', `no such endpoint: ${c.req.method} ${c.req.path}`)),
      { status: 404 },
    ),
  )

  app.get('/health', (c) => c.json({ status: 'ok' }))

  // Before the token check: the limit wraps the request, and the check keys its principal by the request.
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: MAX_ROUTER_BODY_BYTES,
      onError: () => {
        throw tooLarge()
      },
    }),
  )
  app.use('*', async (c, next) => {
    if (c.req.path.endsWith('/health')) return next()
    const principal = await core.authenticate(c.req.raw.headers)
    if (!principal) {
      throw new AppError(
        'authentication_error',
        'invalid or missing router token (Authorization: Bearer or x-api-key)',
      )
    }
    principals.set(c.req.raw, principal)
    return next()
  })

  app.post('/v1/messages', async (c) =>
    core.messages(await incomingFromRequest(c.req.raw), principalOf(c.req.raw)),
  )
  app.post('/v1/messages/count_tokens', async (c) => core.countTokens(await incomingFromRequest(c.req.raw)))
  app.post('/v1/chat/completions', async (c) =>
    core.chatCompletions(await incomingFromRequest(c.req.raw), principalOf(c.req.raw)),
  )
  app.get('/usage', (c) =>
    core.usage(principalOf(c.req.raw), { sessionId: c.req.query('sessionId'), limit: c.req.query('limit') }),
  )
  app.get('/metrics', () => core.metrics())
  app.get('/v1/models', () => core.models())

  return app
}
