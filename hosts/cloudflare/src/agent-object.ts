/**
 * ClaudeCodeAgent: one Durable Object per session (the seed's ClaudeCodeAgent), hosting the same SessionActor
 * as the Node host on the same SQL session store, here over the object's own SQLite. It serves the session's
 * REST routes (the Node host's agent routes), and its WebSocket clients through the hibernation API: a client
 * gets `catchUp(after)` then live events, which are persisted before they are sent to `getWebSockets()`.
 */
import { DurableObject } from 'cloudflare:workers'
import { Hono } from 'hono'
import { AgentService } from '../../../src/agent/agent-service.js'
import { handleInboundFrame } from '../../../src/agent/inbound-frames.js'
import type { SessionActor } from '../../../src/agent/session-actor.js'
import { sessionState } from '../../../src/agent/session-state.js'
import { AppError } from '../../../src/protocol/errors.js'
import type { OutboundEvent, StatusData } from '../../../src/protocol/events.js'
import { agentRoutes } from '../../../src/server/routes/agent-routes.js'
import { answerErrorsAsJson } from '../../../src/server/routes/json-errors.js'
import { SqlSessionStore } from '../../../src/store/sql-session-store.js'
import { SqlUsageSink } from '../../../src/store/sql-usage-sink.js'
import { durableObjectDatabase } from './do-sql-database.js'
import { DurableContainers } from './durable-containers.js'
import { hostConfig } from './host-config.js'
import { createHostRouter, type HostRouter } from './router.js'
import { serverInfo } from './server-info.js'
import { SESSION_HEADER } from './session-header.js'

interface Attachment {
  sessionId: string
}

/**
 * While a turn runs, an alarm every HEARTBEAT_MS keeps the object from being evicted for inactivity (a turn
 * started over a hibernatable WebSocket has no request holding it), as cloudflare/agents' keepAlive does.
 */
const HEARTBEAT_MS = 30_000

/** Events that change what the session list shows: the directory is told about them. */
const LISTED = new Set(['status', 'permission_request', 'permission_response'])

export class ClaudeCodeAgent extends DurableObject<Env> {
  private readonly store: SqlSessionStore
  private readonly containers: DurableContainers
  private readonly agent: AgentService
  private readonly app: Hono
  private readonly usage: SqlUsageSink
  private routerOf: HostRouter | undefined
  private actorOf: SessionActor | undefined

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    const config = hostConfig(env)
    this.store = new SqlSessionStore(durableObjectDatabase(ctx.storage))
    this.containers = new DurableContainers(env, config)
    this.usage = new SqlUsageSink(this.store.sql)
    this.agent = new AgentService({
      store: this.store,
      containers: this.containers,
      workspace: this.containers,
      defaultModel: config.defaultModel,
      permissionMode: config.permissionMode,
      permissionTimeoutMs: config.permissionTimeoutMs,
      turnUsage: (sessionId, startedAt) => this.usage.since(sessionId, new Date(startedAt).toISOString()),
    })
    this.app = this.routes()
  }

  /** The session's actor, set up on first use after the object starts (or wakes from hibernation). */
  private actor(sessionId: string): SessionActor {
    if (this.actorOf !== undefined) {
      if (this.actorOf.id !== sessionId) {
        throw new AppError('invalid_request_error', `this agent belongs to session '${this.actorOf.id}'`)
      }
      return this.actorOf
    }
    const actor = this.agent.session(sessionId)
    actor.listen((event) => this.broadcast(event))
    this.actorOf = actor
    // A turn that was running when the object was evicted or restarted is closed, so the session is usable.
    this.agent.recover()
    return actor
  }

  private broadcast(event: OutboundEvent): void {
    const frame = JSON.stringify(event)
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(frame)
      } catch {
        // A socket that is closing: its client reconnects with its last seq.
      }
    }
    if (!('seq' in event)) return
    if (LISTED.has(event.type)) this.ctx.waitUntil(this.list(event.sessionId))
    if (event.type === 'status' && (event.data as StatusData).isRunning) this.heartbeat()
  }

  private heartbeat(): void {
    this.ctx.waitUntil(this.ctx.storage.setAlarm(Date.now() + HEARTBEAT_MS))
  }

  /** The heartbeat: again while the turn runs; after an eviction it wakes the object, which closes the turn. */
  override async alarm(): Promise<void> {
    const record = this.store.listSessions()[0]
    if (record === undefined) return
    this.actor(record.id)
    if (this.store.getSession(record.id)?.isRunning === true) this.heartbeat()
  }

  /** Tells the session directory how this session looks now (for `GET /agent/sessions`). */
  private async list(sessionId: string): Promise<void> {
    // After the event's own synchronous step: a permission_request is sent before its prompt is registered.
    await Promise.resolve()
    const record = this.store.getSession(sessionId)
    if (record === undefined) return
    const directory = this.env.DIRECTORY.get(this.env.DIRECTORY.idFromName('directory'))
    await directory.upsert(sessionState(this.agent, record)).catch(() => {})
  }

  private routes(): Hono {
    const app = new Hono()
    answerErrorsAsJson(app)
    // The session's model calls (see router.ts): routed here so their usage is kept with the session.
    app.all('/llm/*', (c) => {
      this.routerOf ??= createHostRouter(this.env, this.usage)
      const url = new URL(c.req.url)
      url.pathname = url.pathname.slice('/llm'.length)
      return this.routerOf.app.fetch(new Request(url, c.req.raw))
    })
    app.use('*', async (c, next) => {
      const sessionId = c.req.header(SESSION_HEADER)
      if (sessionId === undefined) throw new AppError('invalid_request_error', `missing ${SESSION_HEADER}`)
      this.actor(sessionId)
      await this.containers.refresh(sessionId).catch(() => {})
      await next()
    })
    app.get('/demo/ws/:id', (c) => this.accept(c.req.param('id'), Number(c.req.query('after') ?? '0')))
    // Deleting a session also takes it off the list.
    app.delete('/agent/sessions/:id', async (c, next) => {
      await next()
      const directory = this.env.DIRECTORY.get(this.env.DIRECTORY.idFromName('directory'))
      await directory.remove(c.req.param('id'))
      for (const ws of this.ctx.getWebSockets()) ws.close(1000, 'session deleted')
    })
    app.route(
      '/agent',
      agentRoutes({
        agent: this.agent,
        files: {
          list: (id) => this.containers.listFiles(id),
          // The container holds the workspace: these start it when it sleeps, as a turn would.
          read: (id, path) => this.containers.readFile(id, this.actor(id).model, path),
          write: (id, path, body, { replace }) =>
            this.containers.writeFile(id, this.actor(id).model, path, body, { replace }),
          archive: (id) => this.containers.archive(id, this.actor(id).model),
          download: (id, path) => this.containers.download(id, this.actor(id).model, path),
        },
        info: () => serverInfo(this.env),
        admitTurn: () => {},
      }),
    )
    app.get('/claude-code/debug', async (c) =>
      c.json((await this.agent.containerDebug(this.actorOf!.id)) as object),
    )
    return app
  }

  override fetch(request: Request): Promise<Response> {
    return Promise.resolve(this.app.fetch(request))
  }

  /** A WebSocket client of the session, kept through hibernation; gets the history after `after`, then live events. */
  private accept(sessionId: string, after: number): Response {
    const actor = this.actor(sessionId)
    const { 0: client, 1: server } = new WebSocketPair()
    this.ctx.acceptWebSocket(server)
    server.serializeAttachment({ sessionId } satisfies Attachment)
    for (const event of actor.catchUp(after)) server.send(JSON.stringify(event))
    return new Response(null, { status: 101, webSocket: client })
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    const { sessionId } = ws.deserializeAttachment() as Attachment
    const sendError = (content: string) =>
      ws.send(JSON.stringify({ type: 'error', content, timestamp: Date.now(), sessionId }))
    if (typeof message === 'string') handleInboundFrame(this.actor(sessionId), message, { sendError })
    else sendError('binary frames are not accepted; send JSON text frames')
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    try {
      ws.close(code === 1005 ? 1000 : code, 'closing')
    } catch {
      // already closed
    }
  }
}
