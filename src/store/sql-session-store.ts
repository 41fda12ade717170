/**
 * SessionStore on any synchronous SQLite (see sql-database.ts): better-sqlite3 on Node, a Durable Object's
 * storage on Cloudflare. Every statement is parameterised; an event and its session's `last_seq` move in one
 * transaction, so a `seq` is never reused, even across a crash.
 */
import { z } from 'zod'
import { AppError } from '../protocol/errors.js'
import { type EventType, type NewEvent, PermissionRuleSchema, type SessionEvent } from '../protocol/events.js'
import type { PermissionRule } from '../protocol/permission-rules.js'
import { migrate } from './schema.js'
import type { SessionMatch, SessionPatch, SessionRecord, SessionStore } from './session-store.js'
import type { SqlDatabase, SqlValue } from './sql-database.js'

interface SessionRow {
  id: string
  title: string
  created_at: number
  last_activity: number
  preferred_model: string | null
  claude_session_id: string | null
  is_running: number
  last_command: string | null
  session_files: string
  permission_rules: string
  last_seq: number
}

interface EventRow {
  session_id: string
  seq: number
  type: string
  content: string | null
  data: string | null
  timestamp: number
}

function toRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    title: row.title,
    createdAt: row.created_at,
    lastActivity: row.last_activity,
    preferredModel: row.preferred_model ?? undefined,
    claudeSessionId: row.claude_session_id ?? undefined,
    isRunning: row.is_running === 1,
    lastCommand: row.last_command ?? undefined,
    sessionFiles: JSON.parse(row.session_files) as string[],
    permissionRules: parseRules(row.permission_rules),
    lastSeq: row.last_seq,
  }
}

/** Stored rules, each checked again: a rule that no longer parses is dropped, not trusted. */
function parseRules(text: string): PermissionRule[] {
  const parsed = z.array(z.unknown()).safeParse(JSON.parse(text))
  if (!parsed.success) return []
  return parsed.data.flatMap((value) => {
    const rule = PermissionRuleSchema.safeParse(value)
    return rule.success ? [rule.data] : []
  })
}

function toEvent(row: EventRow): SessionEvent {
  return {
    type: row.type as EventType,
    ...(row.content !== null && { content: row.content }),
    ...(row.data !== null && { data: JSON.parse(row.data) as unknown }),
    seq: row.seq,
    timestamp: row.timestamp,
    sessionId: row.session_id,
  }
}

const COLUMNS: Record<keyof SessionPatch, string> = {
  title: 'title',
  lastActivity: 'last_activity',
  preferredModel: 'preferred_model',
  claudeSessionId: 'claude_session_id',
  isRunning: 'is_running',
  lastCommand: 'last_command',
  sessionFiles: 'session_files',
  permissionRules: 'permission_rules',
}

function toColumnValue(key: keyof SessionPatch, value: SessionPatch[keyof SessionPatch]): SqlValue {
  if (value === undefined) return null
  if (key === 'isRunning') return value ? 1 : 0
  if (key === 'sessionFiles' || key === 'permissionRules') return JSON.stringify(value)
  return value as SqlValue
}

export interface SqlSessionStoreOptions {
  now?: () => number
  /** The schema version an older store kept outside the version table (see schema.ts). */
  legacyVersion?: () => number
  /** Releases the database (better-sqlite3's close; nothing on a Durable Object). */
  close?: () => void
}

export class SqlSessionStore implements SessionStore {
  private readonly now: () => number

  constructor(
    /** The database, for the other tables kept beside the sessions (router usage). */
    readonly sql: SqlDatabase,
    private readonly options: SqlSessionStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now
    migrate(sql, options.legacyVersion)
  }

  getSession(id: string): SessionRecord | undefined {
    const row = this.sql.query<SessionRow>('SELECT * FROM sessions WHERE id = ?', id)[0]
    return row === undefined ? undefined : toRecord(row)
  }

  ensureSession(id: string): SessionRecord {
    const now = this.now()
    this.sql.query(
      'INSERT INTO sessions (id, created_at, last_activity) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING',
      id,
      now,
      now,
    )
    return this.getSession(id)!
  }

  updateSession(id: string, patch: SessionPatch): SessionRecord {
    const keys = (Object.keys(patch) as (keyof SessionPatch)[]).filter((k) => k in COLUMNS)
    if (keys.length > 0) {
      const sets = keys.map((k) => `${COLUMNS[k]} = ?`).join(', ')
      const values = keys.map((k) => toColumnValue(k, patch[k]))
      this.sql.query(`UPDATE sessions SET ${sets} WHERE id = ?`, ...values, id)
    }
    const record = this.getSession(id)
    if (record === undefined) throw new AppError('not_found_error', `session '${id}' does not exist`)
    return record
  }

  listSessions(): SessionRecord[] {
    return this.sql.query<SessionRow>('SELECT * FROM sessions ORDER BY last_activity DESC, id').map(toRecord)
  }

  searchSessions(text: string, limit = 50): SessionMatch[] {
    const needle = text.toLowerCase()
    // instr on lower(): no LIKE wildcards to escape in what a person types. A scan: fine for one person's
    // sessions; a full-text index is the step up when it is not.
    const rows = this.sql.query<SessionRow & { hit_seq: number | null; hit: string | null }>(
      `SELECT * FROM (
         SELECT s.*, e.seq AS hit_seq, e.content AS hit FROM sessions s
         LEFT JOIN events e ON e.session_id = s.id AND e.seq = (
           SELECT max(seq) FROM events WHERE session_id = s.id AND type IN ('user_message', 'result')
             AND instr(lower(content), ?) > 0)
       ) WHERE hit_seq IS NOT NULL OR instr(lower(title), ?) > 0
       ORDER BY last_activity DESC, id LIMIT ?`,
      needle,
      needle,
      limit,
    )
    return rows.map((row) => ({
      record: toRecord(row),
      ...(row.hit_seq !== null && row.hit !== null && { message: { seq: row.hit_seq, text: row.hit } }),
    }))
  }

  runningSessions(): SessionRecord[] {
    return this.sql.query<SessionRow>('SELECT * FROM sessions WHERE is_running = 1').map(toRecord)
  }

  deleteSession(id: string): void {
    this.sql.transaction(() => {
      this.sql.query('DELETE FROM events WHERE session_id = ?', id)
      this.sql.query('DELETE FROM sessions WHERE id = ?', id)
    })
  }

  appendEvent(sessionId: string, event: NewEvent): SessionEvent {
    const timestamp = event.timestamp ?? this.now()
    return this.sql.transaction(() => {
      const bumped = this.sql.query<{ last_seq: number }>(
        'UPDATE sessions SET last_seq = last_seq + 1, last_activity = ? WHERE id = ? RETURNING last_seq',
        timestamp,
        sessionId,
      )[0]
      if (bumped === undefined) throw new AppError('not_found_error', `session '${sessionId}' does not exist`)
      const row: EventRow = {
        session_id: sessionId,
        seq: bumped.last_seq,
        type: event.type,
        content: event.content ?? null,
        data: event.data === undefined ? null : JSON.stringify(event.data),
        timestamp,
      }
      this.sql.query(
        'INSERT INTO events (session_id, seq, type, content, data, timestamp) VALUES (?, ?, ?, ?, ?, ?)',
        row.session_id,
        row.seq,
        row.type,
        row.content,
        row.data,
        row.timestamp,
      )
      return toEvent(row)
    })
  }

  eventsAfter(sessionId: string, after: number, limit = 1_000_000): SessionEvent[] {
    return this.sql
      .query<EventRow>(
        'SELECT * FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?',
        sessionId,
        after,
        limit,
      )
      .map(toEvent)
  }

  close(): void {
    this.options.close?.()
  }
}
