/**
 * The REST API of the agent layer (`/agent/*`): run a turn, list/inspect/rename/delete sessions, read their
 * events and workspace files (and download them, one or all as a zip, or upload one), interrupt a turn, answer
 * a permission prompt (and list those waiting in every session), and what the server is set up with.
 */
import { type Context, Hono } from 'hono'
import type { AgentService } from '../../agent/agent-service.js'
import { sessionState } from '../../agent/session-state.js'
import { AppError } from '../../protocol/errors.js'
import {
  MAX_UPLOAD_BYTES,
  uploadTooLarge,
  type WorkspaceDownload,
} from '../../protocol/workspace-transfers.js'
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

/**
 * Session workspaces: the file list and one file's content; on hosts that offer them, writing an uploaded
 * file (at most `MAX_UPLOAD_BYTES`, refusing to replace an existing one unless `replace`), and downloads.
 */
export interface WorkspaceFiles {
  list(sessionId: string): Promise<unknown[]>
  read(sessionId: string, path: string): Promise<unknown>
  write?(
    sessionId: string,
    path: string,
    body: ReadableStream<Uint8Array> | null,
    options: { replace: boolean },
  ): Promise<unknown>
  /** The whole workspace as a zip, streamed (settles once it starts, so a host can wake its container). */
  archive?(sessionId: string): Promise<ReadableStream<Uint8Array>>
  download?(sessionId: string, path: string): Promise<WorkspaceDownload>
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

/** The host's implementation of an optional file operation, or a 404 saying this host has none. */
function offered<T>(operation: T | undefined, what: string): T {
  if (operation === undefined) throw new AppError('not_found_error', `this host does not offer ${what}`)
  return operation
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
    return c.json({ files: await options.files.list(id) })
  })

  app.get('/sessions/:id/files/*', async (c) => {
    const id = sessionIdParam(c.req.param('id'))
    agent.get(id)
    return c.json(await options.files.read(id, pathAfter(c, id, 'files')))
  })

  app.put('/sessions/:id/files/*', async (c) => {
    const id = sessionIdParam(c.req.param('id'))
    agent.get(id)
    const write = offered(options.files.write, 'uploads into a workspace')
    const path = pathAfter(c, id, 'files')
    const declared = Number(c.req.header('content-length') ?? 0)
    if (declared > MAX_UPLOAD_BYTES) throw uploadTooLarge(MAX_UPLOAD_BYTES, path)
    const replace = c.req.query('replace') === 'true'
    return c.json(await write(id, path, c.req.raw.body, { replace }), 201)
  })

  app.get('/sessions/:id/download', async (c) => {
    const id = sessionIdParam(c.req.param('id'))
    agent.get(id)
    const archive = offered(options.files.archive, 'workspace downloads')
    return c.body(await archive(id), 200, {
      'content-type': 'application/zip',
      'content-disposition': attachment(`${id}-workspace.zip`),
    })
  })

  app.get('/sessions/:id/download/*', async (c) => {
    const id = sessionIdParam(c.req.param('id'))
    agent.get(id)
    const download = offered(options.files.download, 'file downloads')
    const file = await download(id, pathAfter(c, id, 'download'))
    return c.body(file.body, 200, {
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
