/**
 * The REST API of the agent layer (`/agent/*`): run a turn, list/inspect/rename/delete sessions, read their
 * events and workspace files (and download them, one or all as a zip, or upload one), interrupt a turn, answer
 * a permission prompt (and list those waiting in every session), and what the server is set up with.
 */

import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { type Context, Hono } from 'hono'
import type { AgentService } from '../../agent/agent-service.js'
import { AppError } from '../../protocol/errors.js'
import type { SessionRecord } from '../../store/session-store.js'
import { workspaceArchive } from '../../store/workspace-archive.js'
import {
  listWorkspaceFiles,
  MAX_UPLOAD_BYTES,
  readWorkspaceFile,
  workspaceFile,
  writeWorkspaceFile,
} from '../../store/workspace-files.js'
import {
  AfterQuery,
  jsonBody,
  MessageBody,
  PermissionBody,
  parseWith,
  RenameBody,
  SearchQuery,
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

export interface AgentRoutesOptions {
  agent: AgentService
  workspaceDir: (sessionId: string) => string
  info: () => ServerInfo
  models?: () => Promise<AgentModels>
  /** Throws a 429 AppError when the caller may not start another turn now. */
  admitTurn: (c: Context) => void
}

/** The seed's AgentSessionState for one session (listing thousands of sessions creates no actors). */
export function sessionState(agent: AgentService, record: SessionRecord) {
  const container = agent.containerInfo(record.id)
  return {
    id: record.id,
    title: record.title,
    createdAt: record.createdAt,
    isRunning: record.isRunning,
    lastActivity: record.lastActivity,
    lastSeq: record.lastSeq,
    waitingPermissions: agent.waitingPrompts(record.id).length,
    claudeSession: {
      id: record.claudeSessionId ?? null,
      workspacePath: `sessions/${record.id}/workspace`,
      lastCommand: record.lastCommand ?? null,
      sessionFiles: record.sessionFiles,
      activeTools: agent.runningTools(record.id),
      permissionRules: record.permissionRules,
      preferredModel: record.preferredModel ?? null,
    },
    containerState: {
      isActive: container.state === 'running',
      state: container.state,
      lastHeartbeat: container.lastHeartbeat ?? null,
      sandbox: container.driver,
      isolated: container.isolated,
    },
  }
}

/** The workspace path after `/sessions/:id/<segment>/` in the request's path, URL-decoded. */
function pathAfter(c: Context, id: string, segment: string): string {
  const prefix = `/sessions/${id}/${segment}/`
  const at = c.req.path.indexOf(prefix)
  try {
    return decodeURIComponent(c.req.path.slice(at + prefix.length))
  } catch {
    throw new AppError('invalid_request_error', 'the file path is not valid URL encoding')
  }
}

/** The words around the first place `text` holds `needle` (any case), on one line. */
export function snippet(text: string, needle: string, around = 60): string {
  const flat = text.replace(/\s+/g, ' ')
  const at = flat.toLowerCase().indexOf(needle.toLowerCase())
  if (at < 0) return flat.slice(0, around * 2)
  const start = Math.max(0, at - around)
  const end = Math.min(flat.length, at + needle.length + around)
  return `${start > 0 ? '…' : ''}${flat.slice(start, end)}${end < flat.length ? '…' : ''}`
}

/** `attachment` with the name as plain ASCII and as RFC 5987 UTF-8. */
function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
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

  app.get('/sessions', (c) => {
    const { q } = parseWith(SearchQuery, { q: c.req.query('q') }, 'query')
    if (q === undefined || q === '')
      return c.json({ sessions: agent.listSessions().map((r) => sessionState(agent, r)) })
    return c.json({
      sessions: agent.searchSessions(q).map(({ record, message }) => ({
        ...sessionState(agent, record),
        match:
          message === undefined
            ? { in: 'title' }
            : { in: 'message', seq: message.seq, snippet: snippet(message.text, q) },
      })),
    })
  })

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
    return c.json({ files: await listWorkspaceFiles(options.workspaceDir(id)) })
  })

  app.get('/sessions/:id/files/*', async (c) => {
    const id = sessionIdParam(c.req.param('id'))
    agent.get(id)
    return c.json(await readWorkspaceFile(options.workspaceDir(id), pathAfter(c, id, 'files')))
  })

  app.put('/sessions/:id/files/*', async (c) => {
    const id = sessionIdParam(c.req.param('id'))
    agent.get(id)
    const path = pathAfter(c, id, 'files')
    const declared = Number(c.req.header('content-length') ?? 0)
    if (declared > MAX_UPLOAD_BYTES)
      throw new AppError('request_too_large', `uploads are limited to ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`)
    const replace = c.req.query('replace') === 'true'
    return c.json(await writeWorkspaceFile(options.workspaceDir(id), path, c.req.raw.body, { replace }), 201)
  })

  app.get('/sessions/:id/download', (c) => {
    const id = sessionIdParam(c.req.param('id'))
    agent.get(id)
    return c.body(workspaceArchive(options.workspaceDir(id)), 200, {
      'content-type': 'application/zip',
      'content-disposition': attachment(`${id}-workspace.zip`),
    })
  })

  app.get('/sessions/:id/download/*', async (c) => {
    const id = sessionIdParam(c.req.param('id'))
    agent.get(id)
    const file = await workspaceFile(options.workspaceDir(id), pathAfter(c, id, 'download'))
    return c.body(Readable.toWeb(createReadStream(file.real)) as ReadableStream<Uint8Array>, 200, {
      'content-type': 'application/octet-stream',
      'content-length': String(file.size),
      'content-disposition': attachment(file.path.split('/').pop() ?? 'file'),
      'x-content-type-options': 'nosniff',
    })
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
