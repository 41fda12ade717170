/**
 * The HTTP surface of `agent-router start` (the seed's Agent Worker): health, the page, the REST API of the
 * agent layer, the legacy `/claude-code` run, the OpenAPI document, and the model router mounted at `/llm`.
 * Errors from every route are answered here, in one shape. WebSocket upgrades are handled in websocket.ts.
 */
import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { getConnInfo } from '@hono/node-server/conninfo'
import { serveStatic } from '@hono/node-server/serve-static'
import type { Context } from 'hono'
import { Hono } from 'hono'
import type { AgentService } from '../agent/agent-service.js'
import type { ContainerProvider } from '../agent/container-provider.js'
import { AppError } from '../protocol/errors.js'
import { workspaceArchive } from '../store/workspace-archive.js'
import {
  listWorkspaceFiles,
  readWorkspaceFile,
  workspaceDownload,
  writeWorkspaceFile,
} from '../store/workspace-files.js'
import { bearerToken, tokensEqual } from './auth.js'
import type { Logger } from './logger.js'
import { openApiDocument } from './openapi.js'
import type { RateLimiter } from './rate-limit.js'
import { type AgentModels, agentRoutes, type ServerInfo } from './routes/agent-routes.js'
import { claudeCodeRoutes } from './routes/claude-code-routes.js'
import { answerErrorsAsJson, limitRequestBodies, MAX_BODY_BYTES } from './routes/json-errors.js'

export interface AppOptions {
  agent: AgentService
  containers: ContainerProvider
  /** The router app, mounted at /llm; it checks its own tokens (master key or a session token). */
  router: Hono
  authToken: string | undefined
  logger: Logger
  dataDir: string
  defaultModel: string
  workspaceDir: (sessionId: string) => string
  info: () => ServerInfo
  /** The model picker's choices (`GET /agent/models`). */
  models?: () => Promise<AgentModels>
  /** Absolute path of the built web UI (dist/ui: index.html and hashed assets/), served at `/`. */
  uiDir: string
  /** Limits turns started per token or client address (POST /agent/message, POST /claude-code). */
  turnLimiter?: RateLimiter
  /** Prometheus text for `GET /metrics`. */
  metrics?: () => string
  /** Told about every error answered (for metrics). */
  onError?: (type: string) => void
  /** Told about every finished request (for metrics). */
  onRequest?: (entry: { method: string; route: string; status: number; durationMs: number }) => void
}

function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

export { MAX_BODY_BYTES }

export function createApp(options: AppOptions): Hono {
  const { agent, logger } = options
  const app = new Hono()

  answerErrorsAsJson(app, (error, c) => {
    options.onError?.(error.type)
    if (error.status >= 500) logger.error({ err: error.message, path: c.req.path }, 'request failed')
  })

  app.use('*', async (c, next) => {
    const started = performance.now()
    const requestId = c.req.header('x-request-id')?.slice(0, 128) || randomUUID()
    c.header('x-request-id', requestId)
    await next()
    const durationMs = performance.now() - started
    const route = c.req.routePath
    options.onRequest?.({ method: c.req.method, route, status: c.res.status, durationMs })
    logger.debug(
      { requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(durationMs) },
      'request',
    )
  })

  app.get('/health', (c) => c.json({ status: 'ok', service: 'agent-router' }))

  // The page and its assets hold no secrets and load before the page can send a token, so they sit before the gate.
  app.get('/', async (c) => {
    let html: string
    try {
      html = await readFile(join(options.uiDir, 'index.html'), 'utf8')
    } catch {
      throw new AppError(
        'api_error',
        'the web UI is not built: run `npm run build` (npm start does it too)',
        {
          status: 503,
        },
      )
    }
    c.header('cache-control', 'no-cache')
    return c.html(html)
  })
  // Vite names assets by content hash, so they never change and can be cached for good.
  app.use(
    '/assets/*',
    serveStatic({
      root: options.uiDir,
      onFound: (_path, c) => {
        c.header('cache-control', 'public, max-age=31536000, immutable')
      },
    }),
  )
  app.get('/assets/*', (c) =>
    c.json({ error: { type: 'not_found_error', message: `no asset ${c.req.path.slice(0, 200)}` } }, 404),
  )

  // The router checks its own credentials (AUTH_TOKEN, master key or a session token), so it sits before the gate.
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

  limitRequestBodies(app)

  app.get('/openapi.json', (c) => c.json(openApiDocument()))
  const metrics = options.metrics
  if (metrics !== undefined) {
    app.get('/metrics', (c) =>
      c.text(metrics(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
    )
  }
  // Checked once a turn request is valid, so malformed floods are answered 400 without using up the budget.
  const limiter = options.turnLimiter
  const admitTurn = (c: Context) => {
    if (limiter === undefined) return
    const verdict = limiter.take(bearerToken(c.req.raw.headers) ?? clientAddress(c))
    if (verdict.ok) return
    const seconds = Math.ceil(verdict.retryAfterMs / 1000)
    throw new AppError('rate_limit_error', `too many turns started; try again in ${seconds} s`, {
      headers: { 'retry-after': String(seconds) },
    })
  }
  app.route(
    '/agent',
    agentRoutes({
      agent,
      files: {
        list: (id) => listWorkspaceFiles(options.workspaceDir(id)),
        read: (id, path) => readWorkspaceFile(options.workspaceDir(id), path),
        write: (id, path, body, { replace }) =>
          writeWorkspaceFile(options.workspaceDir(id), path, body, { replace }),
        archive: async (id) => workspaceArchive(options.workspaceDir(id)),
        download: (id, path) => workspaceDownload(options.workspaceDir(id), path),
      },
      info: options.info,
      admitTurn,
      ...(options.models !== undefined && { models: options.models }),
    }),
  )
  app.route(
    '/claude-code',
    claudeCodeRoutes({
      agent,
      containers: options.containers,
      dataDir: options.dataDir,
      defaultModel: options.defaultModel,
      logger,
      admitTurn,
    }),
  )

  return app
}
