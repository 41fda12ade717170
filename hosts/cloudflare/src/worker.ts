/**
 * The Worker (the seed's Agent Worker, Hono): the same routes and protocol as the Node host. Session routes
 * and WebSocket upgrades go to the session's ClaudeCodeAgent, the session list to the SessionDirectory, the
 * model router answers `/llm/*` in the Worker itself, and the web UI is served as static assets.
 */
import { Hono } from 'hono'
import type { SessionState } from '../../../src/agent/session-state.js'
import { AppError } from '../../../src/protocol/errors.js'
import { SESSION_ID_PATTERN } from '../../../src/protocol/events.js'
import { defaultRouterMetrics } from '../../../src/router/index.js'
import { requestToken } from '../../../src/router/router-auth.js'
import { ServerMetrics } from '../../../src/server/metrics.js'
import { openApiDocument } from '../../../src/server/openapi.js'
import { answerErrorsAsJson, limitRequestBodies } from '../../../src/server/routes/json-errors.js'
import { jsonBody, MessageBody, parseWith, sessionIdParam } from '../../../src/server/routes/schemas.js'
import { authorized } from './auth.js'
import { hostConfig } from './host-config.js'
import { offeredModels, routerFetch } from './router.js'
import { serverInfo } from './server-info.js'
import { SESSION_HEADER } from './session-header.js'

type WorkerEnv = { Bindings: Env }

let running = 0
const metrics = new ServerMetrics(defaultRouterMetrics, () => ({ running, max: 0 }))

/** The session's agent object, asked with the session id it serves. */
async function toAgent(env: Env, sessionId: string, request: Request): Promise<Response> {
  const forwarded = new Request(request)
  forwarded.headers.set(SESSION_HEADER, sessionId)
  return env.AGENT.get(env.AGENT.idFromName(sessionId)).fetch(forwarded)
}

function directory(env: Env) {
  return env.DIRECTORY.get(env.DIRECTORY.idFromName('directory'))
}

/** Same-host origins pass, and clients that send none (programs); browsers elsewhere may not drive sessions. */
function originAllowed(request: Request): boolean {
  const origin = request.headers.get('origin')
  if (origin === null) return true
  try {
    return new URL(origin).host === new URL(request.url).host
  } catch {
    return false
  }
}

export function createWorkerApp(): Hono<WorkerEnv> {
  const app = new Hono<WorkerEnv>()

  answerErrorsAsJson(app, (error) => metrics.errors.add({ kind: error.type }))
  app.use('*', async (c, next) => {
    const started = performance.now()
    await next()
    const route = c.req.routePath
    metrics.requests.observe(
      { method: c.req.method, route, status: String(c.res.status) },
      (performance.now() - started) / 1000,
    )
  })

  app.get('/health', (c) => c.json({ status: 'ok', service: 'agent-router' }))

  // The router checks its own credentials (AUTH_TOKEN or a session's token), so it sits before the gate.
  app.all('/llm/*', (c) => {
    const url = new URL(c.req.url)
    url.pathname = url.pathname.slice('/llm'.length)
    return routerFetch(new Request(url, c.req.raw), c.env)
  })

  app.use('*', async (c, next) => {
    const { authToken } = hostConfig(c.env)
    const presented = c.req.path.startsWith('/demo/ws/')
      ? (c.req.query('token') ?? undefined)
      : requestToken(c.req.raw.headers)
    if (!authorized(authToken, presented)) {
      throw new AppError(
        'authentication_error',
        'missing or wrong token: send Authorization: Bearer <AUTH_TOKEN> (WebSocket: ?token=)',
      )
    }
    await next()
  })

  app.get('/demo/ws/:id', (c) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket')
      throw new AppError('invalid_request_error', 'this endpoint takes a WebSocket upgrade')
    if (!originAllowed(c.req.raw))
      throw new AppError('permission_error', 'this Origin may not open a WebSocket here')
    const after = c.req.query('after') ?? '0'
    if (!/^\d+$/.test(after) || !Number.isSafeInteger(Number(after)))
      throw new AppError('invalid_request_error', 'after must be a whole number >= 0')
    const id = c.req.param('id')
    if (!SESSION_ID_PATTERN.test(id)) {
      // As on the Node host: the upgrade succeeds and the socket closes with 1008, which browsers can read.
      const { 0: client, 1: server } = new WebSocketPair()
      server.accept()
      server.close(1008, 'invalid session id: use 1-64 of A-Z a-z 0-9 _ -')
      return new Response(null, { status: 101, webSocket: client })
    }
    return toAgent(c.env, id, c.req.raw)
  })

  limitRequestBodies(app)

  app.get('/openapi.json', (c) => c.json(openApiDocument()))
  app.get('/metrics', async (c) => {
    const sessions: SessionState[] = await directory(c.env).list()
    running = sessions.filter((s) => s.containerState.isActive).length
    return c.text(metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
  })

  app.get('/agent/info', (c) => c.json(serverInfo(c.env)))
  app.get('/agent/models', async (c) => c.json(await offeredModels(c.env)))
  app.get('/agent/sessions', async (c) => c.json({ sessions: await directory(c.env).list() }))
  app.post('/agent/message', async (c) => {
    const body = parseWith(MessageBody, await jsonBody(() => c.req.raw.clone().json()))
    return toAgent(c.env, body.sessionId, c.req.raw)
  })
  // Prompts waiting in any session: the sessions the directory lists with some waiting, asked each.
  app.get('/agent/permissions', async (c) => {
    const sessions: SessionState[] = await directory(c.env).list()
    const waiting = await Promise.all(
      sessions
        .filter((s) => s.waitingPermissions > 0)
        .map(async (s) => {
          const res = await toAgent(c.env, s.id, new Request(new URL('/agent/permissions', c.req.url)))
          return ((await res.json()) as { waiting: unknown[] }).waiting
        }),
    )
    return c.json({ waiting: waiting.flat() })
  })
  app.post('/claude-code', () => {
    throw new AppError(
      'not_found_error',
      'POST /claude-code (the direct run without a session) is not served by the Cloudflare host; use POST /agent/message',
    )
  })
  app.all('/agent/sessions/:id/*', (c) => toAgent(c.env, sessionIdParam(c.req.param('id')), c.req.raw))
  app.all('/agent/sessions/:id', (c) => toAgent(c.env, sessionIdParam(c.req.param('id')), c.req.raw))
  app.get('/claude-code/debug', (c) => {
    const id = c.req.query('sessionId')
    if (id === undefined)
      throw new AppError(
        'invalid_request_error',
        'give ?sessionId=<id> of the session whose container to inspect',
      )
    return toAgent(c.env, sessionIdParam(id), c.req.raw)
  })
  return app
}
