/**
 * SessionStore on SQLite (better-sqlite3, WAL). The schema is created by versioned, idempotent migrations at
 * open; every statement is parameterised; an event and its session's `last_seq` move in one transaction, so a
 * `seq` is never reused, even across a crash.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { z } from 'zod'
import { AppError } from '../protocol/errors.js'
import { type EventType, type NewEvent, PermissionRuleSchema, type SessionEvent } from '../protocol/events.js'
import type { PermissionRule } from '../protocol/permission-rules.js'
import type { SessionMatch, SessionPatch, SessionRecord, SessionStore } from './session-store.js'

const MIGRATIONS: string[] = [
  `CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     title TEXT NOT NULL DEFAULT '',
     created_at INTEGER NOT NULL,
     last_activity INTEGER NOT NULL,
     preferred_model TEXT,
     claude_session_id TEXT,
     is_running INTEGER NOT NULL DEFAULT 0,
     last_command TEXT,
     session_files TEXT NOT NULL DEFAULT '[]',
     last_seq INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX sessions_by_activity ON sessions (last_activity DESC);
   CREATE TABLE events (
     session_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     type TEXT NOT NULL,
     content TEXT,
     data TEXT,
     timestamp INTEGER NOT NULL,
     PRIMARY KEY (session_id, seq)
   ) WITHOUT ROWID;`,
  `CREATE TABLE usage (
     request_id TEXT PRIMARY KEY,
     session_id TEXT,
     started_at TEXT NOT NULL,
     entry TEXT NOT NULL,
     input_tokens INTEGER NOT NULL,
     output_tokens INTEGER NOT NULL,
     cost_usd REAL
   );
   CREATE INDEX usage_by_session ON usage (session_id, started_at);`,
  `ALTER TABLE sessions ADD COLUMN permission_rules TEXT NOT NULL DEFAULT '[]';`,
]

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

function toColumnValue(key: keyof SessionPatch, value: SessionPatch[keyof SessionPatch]): unknown {
  if (value === undefined) return null
  if (key === 'isRunning') return value ? 1 : 0
  if (key === 'sessionFiles' || key === 'permissionRules') return JSON.stringify(value)
  return value
}

export class SqliteSessionStore implements SessionStore {
  private readonly db: Database.Database
  private readonly statements

  constructor(
    file: string,
    private readonly now: () => number = Date.now,
  ) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
    this.db = new Database(file)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = NORMAL')
    this.db.pragma('foreign_keys = ON')
    this.migrate()
    this.statements = {
      get: this.db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?'),
      insert: this.db.prepare(
        'INSERT INTO sessions (id, created_at, last_activity) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING',
      ),
      list: this.db.prepare<[], SessionRow>('SELECT * FROM sessions ORDER BY last_activity DESC, id'),
      running: this.db.prepare<[], SessionRow>('SELECT * FROM sessions WHERE is_running = 1'),
      // instr on lower(): no LIKE wildcards to escape in what a person types. A scan: fine for one person's
      // sessions; a full-text index is the step up when it is not.
      search: this.db.prepare<
        [string, string, number],
        SessionRow & { hit_seq: number | null; hit: string | null }
      >(
        `SELECT * FROM (
           SELECT s.*, e.seq AS hit_seq, e.content AS hit FROM sessions s
           LEFT JOIN events e ON e.session_id = s.id AND e.seq = (
             SELECT max(seq) FROM events WHERE session_id = s.id AND type IN ('user_message', 'result')
               AND instr(lower(content), ?) > 0)
         ) WHERE hit_seq IS NOT NULL OR instr(lower(title), ?) > 0
         ORDER BY last_activity DESC, id LIMIT ?`,
      ),
      bumpSeq: this.db.prepare<[number, string], { last_seq: number }>(
        'UPDATE sessions SET last_seq = last_seq + 1, last_activity = ? WHERE id = ? RETURNING last_seq',
      ),
      insertEvent: this.db.prepare(
        'INSERT INTO events (session_id, seq, type, content, data, timestamp) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      eventsAfter: this.db.prepare<[string, number, number], EventRow>(
        'SELECT * FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
      deleteEvents: this.db.prepare('DELETE FROM events WHERE session_id = ?'),
      deleteSession: this.db.prepare('DELETE FROM sessions WHERE id = ?'),
    }
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number
    if (version > MIGRATIONS.length) {
      throw new AppError(
        'invalid_config',
        `the database was written by a newer agent-router (schema ${version}, this one knows ${MIGRATIONS.length})`,
      )
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!)
        this.db.pragma(`user_version = ${v + 1}`)
      })()
    }
  }

  getSession(id: string): SessionRecord | undefined {
    const row = this.statements.get.get(id)
    return row === undefined ? undefined : toRecord(row)
  }

  ensureSession(id: string): SessionRecord {
    const now = this.now()
    this.statements.insert.run(id, now, now)
    return this.getSession(id)!
  }

  updateSession(id: string, patch: SessionPatch): SessionRecord {
    const keys = (Object.keys(patch) as (keyof SessionPatch)[]).filter((k) => k in COLUMNS)
    if (keys.length > 0) {
      const sets = keys.map((k) => `${COLUMNS[k]} = ?`).join(', ')
      const values = keys.map((k) => toColumnValue(k, patch[k]))
      this.db.prepare(`UPDATE sessions SET ${sets} WHERE id = ?`).run(...values, id)
    }
    const record = this.getSession(id)
    if (record === undefined) throw new AppError('not_found_error', `session '${id}' does not exist`)
    return record
  }

  listSessions(): SessionRecord[] {
    return this.statements.list.all().map(toRecord)
  }

  searchSessions(text: string, limit = 50): SessionMatch[] {
    const needle = text.toLowerCase()
    return this.statements.search.all(needle, needle, limit).map((row) => ({
      record: toRecord(row),
      ...(row.hit_seq !== null && row.hit !== null && { message: { seq: row.hit_seq, text: row.hit } }),
    }))
  }

  runningSessions(): SessionRecord[] {
    return this.statements.running.all().map(toRecord)
  }

  deleteSession(id: string): void {
    this.db.transaction(() => {
      this.statements.deleteEvents.run(id)
      this.statements.deleteSession.run(id)
    })()
  }

  appendEvent(sessionId: string, event: NewEvent): SessionEvent {
    const timestamp = event.timestamp ?? this.now()
    return this.db.transaction(() => {
      const bumped = this.statements.bumpSeq.get(timestamp, sessionId)
      if (bumped === undefined) throw new AppError('not_found_error', `session '${sessionId}' does not exist`)
      const data = event.data === undefined ? null : JSON.stringify(event.data)
      this.statements.insertEvent.run(
        sessionId,
        bumped.last_seq,
        event.type,
        event.content ?? null,
        data,
        timestamp,
      )
      return toEvent({
        session_id: sessionId,
        seq: bumped.last_seq,
        type: event.type,
        content: event.content ?? null,
        data,
        timestamp,
      })
    })()
  }

  eventsAfter(sessionId: string, after: number, limit = 1_000_000): SessionEvent[] {
    return this.statements.eventsAfter.all(sessionId, after, limit).map(toEvent)
  }

  /** The connection, for the other tables kept in the same file (router usage). */
  get database(): Database.Database {
    return this.db
  }

  close(): void {
    this.db.close()
  }
}
