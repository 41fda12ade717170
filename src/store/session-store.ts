/**
 * The durable state of sessions and their event logs, behind a small synchronous interface so the agent core
 * does not depend on SQLite (a Durable Object's storage fits the same shape). See sqlite-store.ts.
 */
import type { NewEvent, SessionEvent } from '../protocol/events.js'
import type { PermissionRule } from '../protocol/permission-rules.js'

export interface SessionRecord {
  id: string
  title: string
  createdAt: number
  lastActivity: number
  preferredModel: string | undefined
  /** Claude Code's own session id, resumed by the next turn. */
  claudeSessionId: string | undefined
  isRunning: boolean
  lastCommand: string | undefined
  sessionFiles: string[]
  /** "Always allow" rules the person stored in this session, applied before a prompt is shown. */
  permissionRules: PermissionRule[]
  lastSeq: number
}

/** A session a search found: by its title, or by a message (`seq`, and the `text` of that message). */
export interface SessionMatch {
  record: SessionRecord
  message?: { seq: number; text: string }
}

export type SessionPatch = Partial<Omit<SessionRecord, 'id' | 'createdAt' | 'lastSeq'>>

export interface SessionStore {
  getSession(id: string): SessionRecord | undefined
  /** Returns the session, creating it (empty history) when it does not exist. */
  ensureSession(id: string): SessionRecord
  updateSession(id: string, patch: SessionPatch): SessionRecord
  /** Most recent activity first. */
  listSessions(): SessionRecord[]
  /**
   * Sessions whose title or messages (what a person sent, what the agent answered) contain `text`, any case;
   * most recent activity first, each with its latest matching message.
   */
  searchSessions(text: string, limit?: number): SessionMatch[]
  /** Sessions whose last turn was still running when the process stopped. */
  runningSessions(): SessionRecord[]
  deleteSession(id: string): void
  /** Persists an event with the next `seq` of its session and returns it as it will be sent. */
  appendEvent(sessionId: string, event: NewEvent): SessionEvent
  /** Persisted events with `seq > after`, in order. */
  eventsAfter(sessionId: string, after: number, limit?: number): SessionEvent[]
  close(): void
}

/** A session nobody has sent a message yet: what a store returns nothing for. */
export function emptySessionRecord(id: string, now: number): SessionRecord {
  return {
    id,
    title: '',
    createdAt: now,
    lastActivity: now,
    preferredModel: undefined,
    claudeSessionId: undefined,
    isRunning: false,
    lastCommand: undefined,
    sessionFiles: [],
    permissionRules: [],
    lastSeq: 0,
  }
}
