/**
 * The seed's legacy `POST /claude-code`: a direct run in a session's container, bypassing the agent layer (no
 * events, no history). Without a `sessionId` it runs in a temporary sandbox that is renamed to Claude Code's own
 * session id afterwards, so a later call with that id resumes it. `GET /claude-code/debug` shows a container's
 * redacted debug report.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, renameSync } from 'node:fs'
import { type Context, Hono } from 'hono'
import { stream } from 'hono/streaming'
import type { AgentService } from '../../agent/agent-service.js'
import type { ContainerProvider } from '../../agent/container-provider.js'
import type { ClaudeCodeOptions as Options } from '../../protocol/claude-code-options.js'
import { AppError, toAppError } from '../../protocol/errors.js'
import { SESSION_ID_PATTERN } from '../../protocol/events.js'
import type { Logger } from '../logger.js'
import { type SessionPaths, sessionPaths } from '../session-containers.js'
import { ClaudeCodeOptions, jsonBody, parseWith } from './schemas.js'

export interface ClaudeCodeRoutesOptions {
  agent: AgentService
  containers: ContainerProvider
  dataDir: string
  defaultModel: string
  logger: Logger
  /** Throws a 429 AppError when the caller may not start another turn now. */
  admitTurn: (c: Context) => void
}

function tempSandboxId(): string {
  return `temp_${Date.now()}_${randomBytes(6).toString('hex')}`
}

function hasTranscript(paths: SessionPaths): boolean {
  try {
    return existsSync(paths.claude) && readdirSync(paths.claude).length > 0
  } catch {
    return false
  }
}

export function claudeCodeRoutes(options: ClaudeCodeRoutesOptions): Hono {
  const { containers, dataDir } = options
  const app = new Hono()

  app.get('/debug', async (c) => {
    const id = c.req.query('sessionId')
    if (id === undefined) {
      throw new AppError(
        'invalid_request_error',
        'give ?sessionId=<id> of the session whose container to inspect',
      )
    }
    return c.json((await options.agent.containerDebug(id)) as Record<string, unknown>)
  })

  app.post('/', async (c) => {
    const body: Options = parseWith(ClaudeCodeOptions, await jsonBody(() => c.req.json()))
    options.admitTurn(c)
    const requestId = `req_${Date.now()}_${randomBytes(4).toString('hex')}`
    const temporary = body.sessionId === undefined
    const runId = body.sessionId ?? tempSandboxId()
    const model = body.model ?? options.defaultModel
    const paths = sessionPaths(dataDir, runId)
    const resume = body.resumeSessionId ?? (!temporary && hasTranscript(paths) ? body.sessionId : undefined)
    const connection = await containers.ensure(runId, model)
    const runOptions: Options = {
      ...body,
      model,
      sessionId: runId,
      ...(resume !== undefined && { resumeSessionId: resume }),
      stream: true,
    }
    const abort = new AbortController()
    c.req.raw.signal.addEventListener('abort', () => abort.abort(), { once: true })

    let claudeSessionId: string | undefined
    let result = ''
    let failure: string | undefined
    /** After a temporary run: stop its container and move its folder to Claude Code's session id. */
    const settle = async (): Promise<string> => {
      if (!temporary) return runId
      await containers.release(runId, false)
      const target = claudeSessionId
      if (target === undefined || !SESSION_ID_PATTERN.test(target)) return runId
      const destination = sessionPaths(dataDir, target).root
      if (existsSync(destination)) return runId
      try {
        renameSync(paths.root, destination)
        return target
      } catch (err) {
        options.logger.warn({ runId, err: toAppError(err).message }, 'could not rename the temporary sandbox')
        return runId
      }
    }
    const observe = (line: unknown) => {
      if (typeof line !== 'object' || line === null) return
      const l = line as {
        type?: unknown
        subtype?: unknown
        session_id?: unknown
        result?: unknown
        error?: unknown
      }
      if (typeof l.session_id === 'string') claudeSessionId = l.session_id
      if (l.type === 'result' && typeof l.result === 'string') result = l.result
      if (l.type === 'error') failure = (l.error as { message?: string } | undefined)?.message ?? 'run failed'
    }

    if (body.stream === true) {
      c.header('content-type', 'application/x-ndjson')
      c.header('x-request-id', requestId)
      return stream(c, async (out) => {
        out.onAbort(() => abort.abort())
        try {
          for await (const line of connection.run(runOptions, abort.signal)) {
            observe(line)
            await out.write(`${JSON.stringify(line)}\n`)
          }
        } catch (err) {
          if (!abort.signal.aborted) {
            const error = toAppError(err)
            await out.write(
              `${JSON.stringify({ type: 'error', error: { type: error.type, message: error.message } })}\n`,
            )
          }
        } finally {
          await settle()
        }
      })
    }
    let sessionId = runId
    try {
      for await (const line of connection.run(runOptions, abort.signal)) observe(line)
    } finally {
      sessionId = await settle()
    }
    if (failure !== undefined) throw new AppError('api_error', failure)
    return c.json({ type: 'result', result, sessionId, requestId })
  })

  return app
}
