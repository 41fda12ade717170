/**
 * The container server's routes (the seed's claude-server.js): `POST /` runs a Claude Code turn in the
 * session workspace and streams every SDK message as NDJSON, `POST /permissions/:requestId` answers a
 * `permission_request` line, `GET /` is the health check, `GET /ready` answers once the Claude Code booted
 * for the first turn (CONTAINER_PREWARM) waits for it, `GET /debug` shows the configuration with secrets
 * redacted, `GET /workspace/*` shows the session workspace (workspace-routes.ts), `GET|PUT /archive` packs
 * and restores it with Claude Code's transcripts (archive-routes.ts).
 */
import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ContainerConfig } from '../config/config.js'
import { ClaudeCodeOptions } from '../protocol/claude-code-options.js'
import { PermissionDecision } from '../protocol/container-lines.js'
import { AppError, toAppError } from '../protocol/errors.js'
import { debugInfo } from './debug-info.js'
import { parsePrewarm, prewarmState } from './prewarm.js'
import { redactSecrets, secretValuesOf } from './redact.js'
import { type RunOutcome, startRun } from './run-request.js'
import { WarmSession } from './warm-session.js'
import { archiveRoutes } from './workspace/archive-routes.js'
import { workspaceRoutes } from './workspace/workspace-routes.js'

/** How long `GET /ready` waits for Claude Code to boot. */
const READY_TIMEOUT_MS = 60_000

/** Runs in flight, so a closing server can abort them (and with them the Claude Code processes). */
export type ActiveRuns = Set<AbortController>

function errorBody(err: AppError) {
  return err.toJSON()
}

function formatIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ')
}

async function readOptions(request: Request): Promise<ClaudeCodeOptions> {
  let body: unknown
  try {
    body = await request.json()
  } catch {
    throw new AppError('invalid_request_error', 'request body must be JSON (ClaudeCodeOptions with a prompt)')
  }
  const parsed = ClaudeCodeOptions.safeParse(body)
  if (!parsed.success) {
    throw new AppError('invalid_request_error', `invalid ClaudeCodeOptions: ${formatIssues(parsed.error)}`)
  }
  return parsed.data
}

/** The app, with runs registered in `activeRuns` (see runContainerServer). */
export function buildContainerApp(config: ContainerConfig, activeRuns: ActiveRuns): Hono {
  const app = new Hono()
  const warm = new WarmSession(config, activeRuns)
  const firstTurn = parsePrewarm(config.env.CONTAINER_PREWARM)
  if (firstTurn !== undefined) warm.boot(firstTurn)
  const secrets = secretValuesOf(config.env)
  const logError = (message: string, fields: Record<string, unknown>) => {
    process.stderr.write(
      `${JSON.stringify(redactSecrets({ level: 'error', message, ...fields }, secrets))}\n`,
    )
  }

  app.onError((err, c) => {
    const appError = toAppError(err)
    if (appError.status >= 500) logError('request failed', { error: err })
    return c.json(errorBody(appError), appError.status as ContentfulStatusCode)
  })
  app.notFound((c) =>
    c.json(errorBody(new AppError('not_found_error', `no route ${c.req.method} ${c.req.path}`)), 404),
  )

  app.get('/', (c) =>
    c.json({ status: 'healthy', service: 'claude-code-container', timestamp: new Date().toISOString() }),
  )

  app.get('/ready', async (c) => {
    await warm.ready(READY_TIMEOUT_MS)
    return c.json({ ready: true, liveSession: warm.describe() })
  })

  app.get('/debug', (c) =>
    c.json({
      ...(debugInfo(config) as Record<string, unknown>),
      liveSession: warm.describe(),
      // Whether the first turn's Claude Code was started ahead and taken (see prewarm.ts).
      prewarm: prewarmState(),
    }),
  )

  app.route('/workspace', workspaceRoutes(config.workspaceDir))
  app.route(
    '/archive',
    archiveRoutes({ workspaceDir: config.workspaceDir, claudeDir: config.claudeConfigDir }, secrets),
  )

  app.post('/permissions/:requestId', async (c) => {
    let body: unknown
    try {
      body = await c.req.json()
    } catch {
      throw new AppError(
        'invalid_request_error',
        'request body must be JSON: {"allow": true|false, "message"?}',
      )
    }
    const decision = PermissionDecision.safeParse(body)
    if (!decision.success)
      throw new AppError(
        'invalid_request_error',
        `invalid permission decision: ${formatIssues(decision.error)}`,
      )
    const requestId = c.req.param('requestId')
    if (!warm.permissions.respond(requestId, decision.data))
      throw new AppError(
        'not_found_error',
        `no pending permission request ${requestId}; it was answered, or its turn ended`,
      )
    return c.json({ ok: true })
  })

  app.post('/', async (c) => {
    const options = await readOptions(c.req.raw)
    const run = startRun(config, options, { activeRuns, warm, signal: c.req.raw.signal, logError })
    c.header('x-request-id', run.requestId)
    if (options.stream !== false) {
      return c.body(run.ndjson(), 200, { 'content-type': 'application/x-ndjson; charset=utf-8' })
    }
    const outcome: RunOutcome = await run.collect()
    if (outcome.error !== undefined)
      return c.json(errorBody(outcome.error), outcome.error.status as ContentfulStatusCode)
    return c.json({
      type: 'result',
      result: outcome.result,
      sessionId: outcome.sessionId,
      requestId: run.requestId,
    })
  })

  return app
}

/** The container server's Hono app (seed: claude-server.js). */
export function createContainerApp(config: ContainerConfig): Hono {
  return buildContainerApp(config, new Set())
}
