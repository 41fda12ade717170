/**
 * The REST API of the agent layer (`/agent/*`): run a turn, list/inspect/rename/delete sessions, read their
 * events and workspace files, interrupt a turn, answer a permission prompt (and list those waiting in every
 * session), and what the server is set up with.
 */
import { type Context, Hono } from 'hono'
import type { AgentService } from '../../agent/agent-service.js'
import { sessionState } from '../../agent/session-state.js'
import { AppError } from '../../protocol/errors.js'
import {
  AfterQuery,
  jsonBody,
  MessageBody,
  PermissionBody,
  parseWith,
  RenameBody,
  sessionIdParam,
} from './schemas.js'

export interface ServerInfo {
  defaultModel: string
  sandbox: { driver: string; isolated: boolean }
  providers: { name: string; configured: boolean }[]
  warnings: string[]
}

/**
 * What `GET /agent/models` answers: the model pickers' choices, only from configured providers. A wildcard
 * route also takes a model name typed in (the UI's "other model…").
 */
export interface AgentModels {
  defaultModel: string
  models: { id: string; provider: string; route: string }[]
  routes: { pattern: string; provider: string; wildcard: boolean }[]
}

/** Read access to session workspaces: the file list, and one file's content. */
export interface WorkspaceFiles {
  list(sessionId: string): Promise<unknown[]>
  read(sessionId: string, path: string): Promise<unknown>
}

export interface AgentRoutesOptions {
  agent: AgentService
  /** A session's workspace files (`GET /sessions/:id/files[/*path]`): the host's folder, or the container's. */
  files: WorkspaceFiles
  info: () => ServerInfo
  models?: () => Promise<AgentModels>
  /** Throws a 429 AppError when the caller may not start another turn now. */
  admitTurn: (c: Context) => void
}

export function agentRoutes(options: AgentRoutesOptions): Hono {
  const { agent } = options
  const app = new Hono()

  app.post('/message', async (c) => {
    const body = parseWith(MessageBody, await jsonBody(() => c.req.json()))
    options.admitTurn(c)
    const outcome = await agent.session(body.sessionId).submit(body.message, body.model)
    if (outcome.isError) throw new AppError('api_error', outcome.result)
    return c.json({
      status: outcome.interrupted ? 'Interrupted' : 'Message processed',
      sessionId: body.sessionId,
      result: outcome.result,
      timestamp: Date.now(),
    })
  })

  app.get('/info', (c) => c.json(options.info()))

  app.get('/models', async (c) => {
    const none: AgentModels = { defaultModel: options.info().defaultModel, models: [], routes: [] }
    return c.json(options.models ? await options.models() : none)
  })

  app.get('/sessions', (c) => c.json({ sessions: agent.listSessions().map((r) => sessionState(agent, r)) }))

  app.get('/sessions/:id', (c) => {
    const id = sessionIdParam(c.req.param('id'))
    return c.json(sessionState(agent, agent.get(id)))
  })

  app.patch('/sessions/:id', async (c) => {
    const id = sessionIdParam(c.req.param('id'))
    const body = parseWith(RenameBody, await jsonBody(() => c.req.json()))
    return c.json(sessionState(agent, agent.rename(id, body.title)))
  })

  app.delete('/sessions/:id', async (c) => {
    const id = sessionIdParam(c.req.param('id'))
    agent.get(id)
    await agent.deleteSession(id)
    return c.body(null, 204)
  })

  app.get('/sessions/:id/events', (c) => {
    const id = sessionIdParam(c.req.param('id'))
    const { after } = parseWith(AfterQuery, { after: c.req.query('after') }, 'query')
    agent.get(id)
    return c.json({ events: agent.session(id).events(after) })
  })

  app.get('/sessions/:id/files', async (c) => {
    const id = sessionIdParam(c.req.param('id'))
    agent.get(id)
    return c.json({ files: await options.files.list(id) })
  })

  app.get('/sessions/:id/files/*', async (c) => {
    const id = sessionIdParam(c.req.param('id'))
    agent.get(id)
    const prefix = `/sessions/${id}/files/`
    const at = c.req.path.indexOf(prefix)
    let path: string
    try {
      path = decodeURIComponent(c.req.path.slice(at + prefix.length))
    } catch {
      throw new AppError('invalid_request_error', 'the file path is not valid URL encoding')
    }
    return c.json(await options.files.read(id, path))
  })

  app.post('/sessions/:id/interrupt', (c) => {
    const id = sessionIdParam(c.req.param('id'))
    agent.get(id)
    return c.json({ interrupted: agent.session(id).interrupt() })
  })

  app.post('/sessions/:id/permissions/:requestId', async (c) => {
    const id = sessionIdParam(c.req.param('id'))
    const body = parseWith(PermissionBody, await jsonBody(() => c.req.json()))
    agent.get(id)
    await agent.session(id).answerPermission(c.req.param('requestId'), body)
    return c.json({ requestId: c.req.param('requestId'), allow: body.allow })
  })

  app.get('/permissions', (c) => c.json({ waiting: agent.waitingPrompts() }))

  return app
}
