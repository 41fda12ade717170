/**
 * The registry of session actors (the seed's `CLAUDE_CODE_AGENT.idFromName(...)`): one actor per session id,
 * created on first use, plus the operations that span sessions (list, delete, restart recovery, shutdown).
 */

import { AppError } from '../protocol/errors.js'
import { SESSION_ID_PATTERN } from '../protocol/events.js'
import type { SessionMatch, SessionRecord } from '../store/session-store.js'
import type { ContainerInfo } from './container-provider.js'
import type { WaitingPrompt } from './permission-broker.js'
import { type AgentDeps, SessionActor } from './session-actor.js'

export class AgentService {
  private readonly actors = new Map<string, SessionActor>()

  constructor(private readonly deps: AgentDeps) {}

  /** The session's actor; throws a 400 AppError for an id outside `^[A-Za-z0-9_-]{1,64}$`. */
  session(id: string): SessionActor {
    if (!SESSION_ID_PATTERN.test(id)) {
      throw new AppError(
        'invalid_request_error',
        `invalid session id '${id.slice(0, 80)}': use 1-64 of A-Z a-z 0-9 _ -`,
      )
    }
    let actor = this.actors.get(id)
    if (actor === undefined) {
      actor = new SessionActor(id, this.deps)
      this.actors.set(id, actor)
    }
    return actor
  }

  /** Tools running in the session now; empty for a session without a live actor (nothing created here). */
  runningTools(id: string): string[] {
    return this.actors.get(id)?.runningTools ?? []
  }

  /** Permission prompts waiting for an answer, in one session or in all of them (none without a live actor). */
  waitingPrompts(id?: string): (WaitingPrompt & { sessionId: string })[] {
    const actors =
      id === undefined ? [...this.actors.values()] : [this.actors.get(id)].filter((a) => a !== undefined)
    return actors.flatMap((actor) => actor.waitingPrompts.map((p) => ({ sessionId: actor.id, ...p })))
  }

  /** The session's container, as the sandbox layer sees it. */
  containerInfo(id: string): ContainerInfo {
    return this.deps.containers.info(id)
  }

  get defaultModel(): string {
    return this.deps.defaultModel
  }

  listSessions(): SessionRecord[] {
    return this.deps.store.listSessions()
  }

  /** Sessions whose title or messages contain `text` (see SessionStore.searchSessions). */
  searchSessions(text: string): SessionMatch[] {
    return this.deps.store.searchSessions(text)
  }

  exists(id: string): boolean {
    return SESSION_ID_PATTERN.test(id) && this.deps.store.getSession(id) !== undefined
  }

  /** Renames an existing session; 404 AppError when there is none. */
  rename(id: string, title: string): SessionRecord {
    if (!this.exists(id)) throw new AppError('not_found_error', `no session '${id.slice(0, 80)}'`)
    return this.deps.store.updateSession(id, { title })
  }

  /** The session's record; 404 AppError when it has never been used. */
  get(id: string): SessionRecord {
    const record = SESSION_ID_PATTERN.test(id) ? this.deps.store.getSession(id) : undefined
    if (record === undefined) throw new AppError('not_found_error', `no session '${id.slice(0, 80)}'`)
    return record
  }

  async deleteSession(id: string): Promise<void> {
    const actor = this.session(id)
    actor.cancelAll()
    await this.deps.containers.release(id, true)
    this.deps.store.deleteSession(id)
    this.deps.workspace.forget?.(id)
    this.actors.delete(id)
  }

  /** Debug report of a session's container (redacted by the container), or its state when it is not running. */
  async containerDebug(id: string): Promise<unknown> {
    const actor = this.session(id)
    const report = await this.deps.containers.debug(id)
    const { container, pool } = actor.statusData()
    return report ?? { sessionId: id, container, ...(pool !== undefined && { pool }) }
  }

  /** On start-up: closes turns that were running when the process died. */
  recover(): number {
    const running = this.deps.store.runningSessions()
    for (const record of running) this.session(record.id).recoverInterruptedTurn()
    return running.length
  }

  /** Stops every running turn (their partial output is already persisted). */
  async shutdown(): Promise<void> {
    for (const actor of this.actors.values()) actor.cancelAll()
  }
}
