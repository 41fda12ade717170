/**
 * The HTTP surface of `agent-router start` (the seed's Agent Worker): health, the page, the REST API of the
 * agent layer, and the model router mounted at `/llm`. WebSocket upgrades are handled in websocket.ts.
 */
import { readFile } from 'node:fs/promises'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { z } from 'zod'
import type { AgentService } from '../agent/agent-service.js'
import { AppError, toAppError } from '../protocol/errors.js'
import { MAX_MESSAGE_CHARS, ModelName, SessionId } from '../protocol/events.js'
import type { SessionRecord } from '../store/session-store.js'
import { bearerToken, tokensEqual } from './auth.js'
import type { Logger } from './logger.js'

export interface AppOptions {
  agent: AgentService
  /** The router app, mounted at /llm; it checks its own tokens (master key or a session token). */
  router: Hono
  authToken: string | undefined
  logger: Logger
  /** Absolute path of the page served at `/`. */
  indexHtml: string
}

const MessageBody = z.object({
  message: z.string().min(1, 'message must not be empty').max(MAX_MESSAGE_CHARS),
  sessionId: SessionId,
  model: ModelName.optional(),
})

/** The seed's AgentSessionState for one session. */
export function sessionState(agent: AgentService, record: SessionRecord) {
  const actor = agent.session(record.id)
  const status = actor.statusData()
  return {
    id: record.id,
    title: record.title,
    createdAt: record.createdAt,
    isRunning: record.isRunning,
    lastActivity: record.lastActivity,
    lastSeq: record.lastSeq,
    claudeSession: {
      id: record.claudeSessionId ?? null,
      workspacePath: `sessions/${record.id}/workspace`,
      lastCommand: record.lastCommand ?? null,
      sessionFiles: record.sessionFiles,
      activeTools: [],
      preferredModel: record.preferredModel ?? null,
    },
    containerState: { isActive: status.container === 'running', sandbox: status.sandbox },
  }
}

async function parseJson<T>(schema: z.ZodType<T>, read: () => Promise<unknown>): Promise<T> {
  let body: unknown
  try {
    body = await read()
  } catch {
    throw new AppError('invalid_request_error', 'the request body must be JSON')
  }
  const parsed = schema.safeParse(body)
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')
    throw new AppError('invalid_request_error', `invalid request: ${detail}`)
  }
  return parsed.data
}

export function createApp(options: AppOptions): Hono {
  const { agent, logger } = options
  const app = new Hono()

  app.onError((err, c) => {
    const error = toAppError(err)
    if (error.status >= 500) logger.error({ err: error.message, path: c.req.path }, 'request failed')
    return c.json(error.toJSON(), error.status as 400, error.headers)
  })
  app.notFound((c) =>
    c.json(
      { error: { type: 'not_found_error', message: `no route for ${c.req.method} ${c.req.path}` } },
      404,
    ),
  )

  app.get('/health', (c) => c.json({ status: 'ok', service: 'agent-router' }))

  // The router checks its own credentials, so /llm sits before the AUTH_TOKEN gate.
  app.route('/llm', options.router)

  if (options.authToken !== undefined) {
    const expected = options.authToken
    app.use('*', async (c, next) => {
      if (!tokensEqual(bearerToken(c.req.raw.headers), expected)) {
        throw new AppError(
          'authentication_error',
          'missing or wrong token: send Authorization: Bearer <AUTH_TOKEN>',
        )
      }
      await next()
    })
  }

  app.use(
    '/agent/*',
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: () => {
        throw new AppError('request_too_large', 'request body over 1 MiB')
      },
    }),
  )

  app.get('/', async (c) => c.html(await readFile(options.indexHtml, 'utf8')))

  app.post('/agent/message', async (c) => {
    const body = await parseJson(MessageBody, () => c.req.json())
    const outcome = await agent.session(body.sessionId).submit(body.message, body.model)
    if (outcome.isError) throw new AppError('api_error', outcome.result)
    return c.json({
      status: 'Message processed',
      sessionId: body.sessionId,
      result: outcome.result,
      timestamp: Date.now(),
    })
  })

  app.get('/agent/sessions', (c) =>
    c.json({ sessions: agent.listSessions().map((record) => sessionState(agent, record)) }),
  )

  app.get('/agent/sessions/:id', (c) => {
    const id = c.req.param('id')
    if (!agent.exists(id)) throw new AppError('not_found_error', `no session '${id.slice(0, 80)}'`)
    return c.json(sessionState(agent, agent.session(id).record))
  })

  app.get('/agent/sessions/:id/events', (c) => {
    const id = c.req.param('id')
    const after = Number(c.req.query('after') ?? '0')
    if (!Number.isInteger(after) || after < 0)
      throw new AppError('invalid_request_error', 'after must be a whole number >= 0')
    if (!agent.exists(id)) throw new AppError('not_found_error', `no session '${id.slice(0, 80)}'`)
    return c.json({ events: agent.session(id).events(after) })
  })

  app.get('/claude-code/debug', async (c) => {
    const id = c.req.query('sessionId')
    if (id === undefined)
      throw new AppError(
        'invalid_request_error',
        'give ?sessionId=<id> of the session whose container to inspect',
      )
    return c.json((await agent.containerDebug(id)) as Record<string, unknown>)
  })

  return app
}
