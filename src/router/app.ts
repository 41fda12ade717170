/**
 * The router as a Hono app, with routes relative to its mount point (`/llm` in the main server, `/` when
 * served alone): `POST /v1/messages`, `GET /v1/models`, `GET /health`. Errors answer in Anthropic's shape.
 */
import { Hono } from 'hono'
import { AppError, toAppError } from '../protocol/errors.js'
import { anthropicErrorBody, errorResponse } from './error-response.js'
import { handleMessages } from './handle-messages.js'
import { splitProviderModel } from './providers/provider-names.js'
import { resolveSecretRef } from './resolve-secret.js'
import { RouteTable } from './route-table.js'
import { type RouterOptions, silentLogger } from './router-options.js'

function requestToken(headers: Headers): string | undefined {
  const auth = headers.get('authorization')
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim())
    if (m?.[1]) return m[1].trim()
  }
  return headers.get('x-api-key')?.trim() || undefined
}

/** Constant-time string comparison, so the master key cannot be guessed by timing. */
function sameToken(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a)
  const y = new TextEncoder().encode(b)
  let diff = x.length ^ y.length
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0)
  return diff === 0
}

export function createRouterApp(options: RouterOptions): Hono {
  const table = new RouteTable(options.config)
  const logger = options.logger ?? silentLogger
  const deps = { table, secrets: options.secrets, fetch: options.fetch ?? globalThis.fetch, logger }
  const masterKey = options.config.general_settings.master_key
  const authorize =
    options.authorize ??
    (masterKey === undefined
      ? undefined
      : (token: string | undefined) =>
          token !== undefined &&
          sameToken(token, resolveSecretRef(masterKey, options.secrets, 'general_settings.master_key')))

  const app = new Hono()

  app.onError((err, c) => {
    const appError = toAppError(err)
    if (appError.status >= 500)
      logger.error({ type: appError.type, error: appError.message, path: c.req.path }, 'router error')
    return errorResponse(appError)
  })
  app.notFound((c) =>
    Response.json(
      anthropicErrorBody(new AppError('not_found_error', `no such endpoint: ${c.req.method} ${c.req.path}`)),
      {
        status: 404,
      },
    ),
  )

  app.get('/health', (c) => c.json({ status: 'ok' }))

  if (authorize) {
    app.use('*', async (c, next) => {
      if (c.req.path.endsWith('/health')) return next()
      if (!(await authorize(requestToken(c.req.raw.headers)))) {
        throw new AppError(
          'authentication_error',
          'invalid or missing router token (Authorization: Bearer or x-api-key)',
        )
      }
      return next()
    })
  }

  app.post('/v1/messages', (c) => handleMessages(deps, c.req.raw))

  app.get('/v1/models', (c) => {
    const data = options.config.model_list
      .filter((entry, i, all) => all.findIndex((e) => e.model_name === entry.model_name) === i)
      .map((entry) => ({
        id: entry.model_name,
        object: 'model' as const,
        type: 'model' as const,
        display_name: entry.model_name,
        owned_by: splitProviderModel(entry.litellm_params.model).provider,
        created_at: '1970-01-01T00:00:00Z',
      }))
    return c.json({
      object: 'list',
      data,
      has_more: false,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
    })
  })

  return app
}
