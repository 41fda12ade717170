/**
 * One actor per session (the seed's ClaudeCodeAgent Durable Object + ClaudeContainerBridge): it owns the
 * session's state, runs its turns through a serial queue, maps the Claude Agent SDK stream coming from the
 * session's container to protocol events, and persists each event before any client sees it.
 */

import type { ClaudeCodeOptions } from '../protocol/claude-code-options.js'
import type { TranscriptLostLine } from '../protocol/container-lines.js'
import { AppError, toAppError } from '../protocol/errors.js'
import type {
  NewEvent,
  OutboundEvent,
  PermissionAnswer,
  SessionEvent,
  StatusData,
  StatusSnapshot,
} from '../protocol/events.js'
import type { PermissionRule } from '../protocol/permission-rules.js'
import type { SdkResult } from '../protocol/sdk-lines.js'
import { emptySessionRecord, type SessionRecord } from '../store/session-store.js'
import type { AgentDeps } from './agent-deps.js'
import type { ContainerConnection } from './container-provider.js'
import type { WaitingPrompt } from './permission-broker.js'
import { memoryRestoredNotice, restoredPrompt } from './restored-history.js'
import { sdkLineToEffects } from './sdk-line-to-events.js'
import { SessionPermissions } from './session-permissions.js'
import { firstMessageTitle, retitle } from './session-title.js'
import { type TurnOutcome, turnOutcome, turnSummary } from './turn-outcome.js'
import { type TurnContext, TurnQueue } from './turn-queue.js'

export type { AgentDeps, AgentLogger } from './agent-deps.js'
export type { TurnOutcome }

import { emptyWorkspaceSnapshot } from '../protocol/workspace-snapshot.js'
import { diffSnapshots, fileChangeEvents, ToolShownPaths, type WorkspaceSnapshot } from './workspace-diff.js'

export type EventListener = (event: OutboundEvent) => void

/** What a turn has seen so far, across its requests to the container. */
interface TurnProgress {
  /** The workspace as of the last file-change report. */
  snapshot: WorkspaceSnapshot
  /** Files whose change a file tool's result showed since then (their `file_change` carries no diff). */
  toolShown: ToolShownPaths
  final: SdkResult | undefined
  failure: string | undefined
}

export class SessionActor {
  private readonly listeners = new Set<EventListener>()
  private readonly queue = new TurnQueue()
  private abort: AbortController | undefined
  /** Tool calls of the running turn that have no result yet: id -> tool name. */
  private readonly activeTools = new Map<string, string>()
  private readonly permissions: SessionPermissions
  private readonly now: () => number

  constructor(
    readonly id: string,
    private readonly deps: AgentDeps,
  ) {
    this.now = deps.now ?? Date.now
    this.permissions = new SessionPermissions({
      timeoutMs: deps.permissionTimeoutMs ?? 600_000,
      rules: () => this.record.permissionRules,
      saveRules: (permissionRules) => this.deps.store.updateSession(this.id, { permissionRules }),
      emit: (event) => this.emit(event),
    })
  }

  /** The "always allow" rules stored in this session. */
  get permissionRules(): PermissionRule[] {
    return this.record.permissionRules
  }

  /** Prompts waiting for an answer now. */
  get waitingPrompts(): WaitingPrompt[] {
    return this.permissions.waiting
  }

  /** Names of the tools running right now. */
  get runningTools(): string[] {
    return [...new Set(this.activeTools.values())]
  }

  /**
   * Answers a pending permission prompt (from any client): 404 AppError when there is none with that id, 400
   * when `remember` names a rule that cannot be made for it.
   */
  answerPermission(requestId: string, answer: PermissionAnswer): Promise<void> {
    return this.permissions.answer(requestId, answer)
  }

  /** The stored session, or an empty one: a session is only written once someone sends it a message. */
  get record(): SessionRecord {
    return this.deps.store.getSession(this.id) ?? emptySessionRecord(this.id, this.now())
  }

  get model(): string {
    return this.record.preferredModel ?? this.deps.defaultModel
  }

  /**
   * Sends every persisted event with `seq > after`, then a status snapshot, then live events. Replay and
   * registration happen in one synchronous step, so nothing is missed or sent twice.
   */
  subscribe(listener: EventListener, after = 0): () => void {
    for (const event of this.catchUp(after)) listener(event)
    return this.listen(listener)
  }

  /** What a client connecting with `after` gets before live events: events with `seq > after`, then a status. */
  catchUp(after = 0): OutboundEvent[] {
    const status: StatusSnapshot = {
      type: 'status',
      data: this.statusData(),
      timestamp: this.now(),
      sessionId: this.id,
    }
    return [...this.deps.store.eventsAfter(this.id, after), status]
  }

  /** Live events only: a Durable Object host sends `catchUp` to each hibernatable WebSocket itself. */
  listen(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Persisted events with `seq > after`. */
  events(after = 0): SessionEvent[] {
    return this.deps.store.eventsAfter(this.id, after)
  }

  get subscriberCount(): number {
    return this.listeners.size
  }

  statusData(extra: Record<string, unknown> = {}): StatusData {
    const record = this.record
    const container = this.deps.containers.info(this.id)
    return {
      isRunning: record.isRunning,
      model: record.preferredModel ?? this.deps.defaultModel,
      container: container.state,
      sandbox: container.driver,
      isolated: container.isolated,
      ...(container.limits !== undefined && { limits: container.limits }),
      ...(container.pool !== undefined && { pool: container.pool }),
      queued: this.queue.waitingCount,
      ...(container.lastHeartbeat !== undefined && { lastHeartbeat: container.lastHeartbeat }),
      ...extra,
    }
  }

  /** Persists, then broadcasts. */
  private emit(event: NewEvent): SessionEvent {
    const stored = this.deps.store.appendEvent(this.id, event)
    this.broadcast(stored)
    return stored
  }

  private broadcast(event: OutboundEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch (err) {
        this.deps.logger?.warn({ sessionId: this.id, err: toAppError(err).message }, 'event listener failed')
      }
    }
  }

  private emitStatus(extra: Record<string, unknown> = {}): void {
    this.emit({ type: 'status', data: this.statusData(extra) })
  }

  /**
   * Records what the person typed (and their model choice) before anything else happens, echoes it to every
   * client, and queues the turn. Resolves when the turn has ended.
   */
  submit(content: string, model?: string): Promise<TurnOutcome> {
    const record = this.deps.store.ensureSession(this.id)
    this.deps.store.updateSession(this.id, {
      ...(model !== undefined && { preferredModel: model }),
      ...(record.title === '' && { title: firstMessageTitle(content) }),
      lastCommand: content,
    })
    const message = this.emit({
      type: 'user_message',
      content,
      data: { model: model ?? this.model },
      timestamp: this.now(),
    })
    return this.queue.enqueue((ctx) => this.runTurn(message, ctx), message.seq)
  }

  /**
   * Withdraws a message still waiting behind the running turn (by its `user_message`'s seq): it will not run,
   * and a persisted `message_cancelled` tells every client. 409 AppError when it is not waiting (any more).
   */
  cancelQueued(seq: number): void {
    if (!this.queue.withdraw(seq))
      throw new AppError(
        'invalid_request_error',
        `message ${seq} is not waiting in the queue (it has started, ended or was cancelled)`,
        { status: 409 },
      )
    this.emit({ type: 'message_cancelled', content: 'Cancelled before it ran', data: { seq } })
    // The queued count changed; a snapshot (not persisted) says so to clients that show it.
    this.broadcast({ type: 'status', data: this.statusData(), timestamp: this.now(), sessionId: this.id })
  }

  /** Stops the running turn; what it already produced stays in the history. */
  interrupt(): boolean {
    if (this.abort === undefined) return false
    this.abort.abort()
    return true
  }

  /** Cancels queued and running turns (used when the session is deleted or the server stops). */
  cancelAll(): void {
    this.queue.cancelAll()
    this.abort?.abort()
  }

  idle(): Promise<void> {
    return this.queue.idle()
  }

  private async runTurn(message: SessionEvent, ctx: TurnContext): Promise<TurnOutcome> {
    if (!ctx.isCurrent()) return { result: 'Cancelled before it ran.', isError: false, interrupted: true }
    const startedAt = this.now()
    const abort = new AbortController()
    this.abort = abort
    const model = this.model
    this.deps.store.updateSession(this.id, { isRunning: true, lastActivity: this.now() })
    this.emitStatus()
    // The snapshot is taken once the container is up.
    const progress: TurnProgress = {
      snapshot: emptyWorkspaceSnapshot(),
      toolShown: new ToolShownPaths(),
      final: undefined,
      failure: undefined,
    }
    try {
      const resume = this.record.claudeSessionId
      const fresh = {
        model,
        sessionId: this.id,
        permissionMode: this.deps.permissionMode,
        ...(this.deps.maxTurns !== undefined && { maxTurns: this.deps.maxTurns }),
      }
      const turn = { ...fresh, ...(resume !== undefined && { resumeSessionId: resume }) }
      const connection = await this.deps.containers.ensure(this.id, model, {
        signal: abort.signal,
        onWait: ({ position }) => this.emitStatus({ waitingForSandbox: true, position }),
        firstTurn: turn,
      })
      progress.snapshot = await this.deps.workspace.snapshot(this.id)
      const prompt = message.content ?? ''
      let lost = await this.stream(connection, { prompt, ...turn }, progress, abort.signal, ctx)
      if (lost !== undefined && ctx.isCurrent()) {
        const restored = this.restoreMemory(lost, message, prompt)
        lost = await this.stream(connection, { prompt: restored, ...fresh }, progress, abort.signal, ctx)
      }
      if (lost !== undefined)
        progress.failure = `Claude Code could not start a new session after losing its transcript (${lost.detail}). Send the message again to retry.`
      if (ctx.isCurrent()) await this.reportFileChanges(progress)
    } catch (err) {
      if (!abort.signal.aborted) progress.failure = toAppError(err).message
    } finally {
      this.abort = undefined
      // The container denies whatever is still pending when a turn ends.
      this.permissions.clear()
    }
    const outcome = this.finishTurn(model, progress, abort.signal.aborted, ctx, startedAt, message.timestamp)
    if (!outcome.isError && !outcome.interrupted && this.deps.titleFor !== undefined)
      void retitle(this.deps.store, this.id, this.deps.titleFor, {
        content: message.content ?? '',
        answer: outcome.result,
        model,
        // Clients learn the new title from a status snapshot carrying it.
        onTitled: (title) =>
          this.broadcast({
            type: 'status',
            data: this.statusData({ title }),
            timestamp: this.now(),
            sessionId: this.id,
          }),
      })
    this.deps.onTurnEnd?.({
      durationMs: this.now() - startedAt,
      outcome: outcome.interrupted ? 'interrupted' : outcome.isError ? 'error' : 'ok',
    })
    return outcome
  }

  /**
   * Runs one request of the turn on the container and applies its lines; returns the loss when the Claude
   * Code session it was to resume lost its transcript (the request then ran nothing).
   */
  private async stream(
    connection: ContainerConnection,
    options: ClaudeCodeOptions,
    progress: TurnProgress,
    signal: AbortSignal,
    ctx: TurnContext,
  ): Promise<TranscriptLostLine | undefined> {
    let lost: TranscriptLostLine | undefined
    for await (const raw of connection.run(options, signal)) {
      if (!ctx.isCurrent()) break
      const fx = sdkLineToEffects(raw, connection.workspacePath)
      if (fx === undefined) continue
      if (fx.claudeSessionId !== undefined && fx.claudeSessionId !== this.record.claudeSessionId)
        this.deps.store.updateSession(this.id, { claudeSessionId: fx.claudeSessionId })
      for (const tool of fx.toolsStarted) this.activeTools.set(tool.id, tool.name)
      for (const id of fx.toolsFinished) this.activeTools.delete(id)
      for (const event of fx.events) {
        this.emit(event)
        progress.toolShown.note(event)
      }
      if (fx.delta !== undefined)
        this.broadcast({ type: 'text_delta', content: fx.delta, timestamp: this.now(), sessionId: this.id })
      if (fx.permission !== undefined) {
        const { requestId, tool, input } = fx.permission
        await this.permissions.request(requestId, tool, input, (id, decision) =>
          connection.respondPermission(id, decision),
        )
      }
      if (fx.final !== undefined) progress.final = fx.final
      if (fx.failure !== undefined) progress.failure = fx.failure
      if (fx.transcriptLost !== undefined) lost = fx.transcriptLost
      if (fx.toolResultSeen) await this.reportFileChanges(progress)
    }
    return lost
  }

  /**
   * Claude Code lost its record of the conversation: the prompt for a new Claude Code session that carries
   * the conversation over from this session's event log, announced by a `notice`. The new session's id
   * replaces the lost one when its first line arrives.
   */
  private restoreMemory(lost: TranscriptLostLine, message: SessionEvent, prompt: string): string {
    const history = this.deps.store.eventsAfter(this.id, 0).filter((event) => event.seq < message.seq)
    const restored = restoredPrompt(history, prompt)
    this.deps.logger?.warn(
      { sessionId: this.id, claudeSessionId: lost.claudeSessionId, reason: lost.reason, detail: lost.detail },
      'Claude Code lost the transcript of this session; starting a new one from the event log',
    )
    if (restored.turns > 0) this.emit(memoryRestoredNotice(restored.turns))
    return restored.prompt
  }

  /** Emits what changed in the workspace since `progress.snapshot`, which becomes the workspace now. */
  private async reportFileChanges(progress: TurnProgress): Promise<void> {
    const after = await this.deps.workspace.snapshot(this.id)
    const changes = diffSnapshots(progress.snapshot, after, progress.toolShown.take())
    progress.snapshot = after
    if (changes.length === 0) return
    const { events, sessionFiles } = fileChangeEvents(changes, this.record.sessionFiles)
    for (const event of events) this.emit(event)
    this.deps.store.updateSession(this.id, { sessionFiles })
  }

  private finishTurn(
    model: string,
    { final, failure }: TurnProgress,
    interrupted: boolean,
    ctx: TurnContext,
    startedAt: number,
    askedAt: number,
  ): TurnOutcome {
    this.activeTools.clear()
    const outcome = turnOutcome(final, failure, interrupted)
    if (!ctx.isCurrent()) return outcome
    if (outcome.isError) this.emit({ type: 'error', content: outcome.result })
    this.deps.store.updateSession(this.id, { isRunning: false, lastActivity: this.now() })
    const usage = this.deps.turnUsage?.(this.id, startedAt)
    this.emitStatus({
      model,
      ...(interrupted && { interrupted: true }),
      // What the person waited, from their message (queue and sandbox start included), not Claude Code's own
      // duration_ms, which leaves out its start-up.
      turn: turnSummary(final, usage, this.now() - askedAt),
    })
    return outcome
  }

  /** Closes a turn that was running when the process stopped, so the session is usable again. */
  recoverInterruptedTurn(): void {
    if (!this.record.isRunning) return
    this.emit({
      type: 'error',
      content:
        'The previous turn was interrupted by a restart of the server. Send your message again to continue.',
    })
    this.deps.store.updateSession(this.id, { isRunning: false })
    this.emitStatus()
  }
}
