/**
 * What every host's HTTP app does the same way: errors answered in one JSON shape `{error: {type, message}}`
 * with the AppError's status and headers (a 404 of that shape for unknown routes), and the body size limit.
 */
import type { Context, Env, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { AppError, toAppError } from '../../protocol/errors.js'

/** Largest JSON body accepted by the REST API. */
export const MAX_BODY_BYTES = 1024 * 1024

/**
 * Refuses REST bodies over MAX_BODY_BYTES with a 413 before they are read. An upload into a workspace
 * (`PUT …/files/*`) is bounded by its own, larger limit as it is written.
 */
export function limitRequestBodies<E extends Env>(app: Hono<E>): void {
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new AppError('request_too_large', `the request body is over ${MAX_BODY_BYTES / 1024} KiB`)
    },
  })
  app.use('/agent/*', (c, next) =>
    c.req.method === 'PUT' && c.req.path.includes('/files/') ? next() : limit(c, next),
  )
  app.use('/claude-code', limit)
}

export function answerErrorsAsJson<E extends Env>(
  app: Hono<E>,
  onError?: (error: AppError, c: Context<E>) => void,
): void {
  app.onError((err, c) => {
    const error = toAppError(err)
    onError?.(error, c)
    return c.json(error.toJSON(), error.status as 400, error.headers)
  })
  app.notFound((c) =>
    c.json(
      { error: { type: 'not_found_error', message: `no route for ${c.req.method} ${c.req.path}` } },
      404,
    ),
  )
}
