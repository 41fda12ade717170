/**
 * SessionDirectory: the one Durable Object that lists sessions (a per-session object cannot list its
 * siblings). Each ClaudeCodeAgent tells it how its session looks whenever that changes; `GET /agent/sessions`
 * reads it, most recent first.
 */
import { DurableObject } from 'cloudflare:workers'
import type { SessionState } from '../../../src/agent/session-state.js'

export class SessionDirectory extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, last_activity INTEGER NOT NULL, state TEXT NOT NULL);
       CREATE INDEX IF NOT EXISTS sessions_by_activity ON sessions (last_activity DESC)`,
    )
  }

  upsert(state: SessionState): void {
    this.ctx.storage.sql.exec(
      `INSERT INTO sessions (id, last_activity, state) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET last_activity = excluded.last_activity, state = excluded.state`,
      state.id,
      state.lastActivity,
      JSON.stringify(state),
    )
  }

  remove(id: string): void {
    this.ctx.storage.sql.exec('DELETE FROM sessions WHERE id = ?', id)
  }

  list(limit = 1000): SessionState[] {
    return this.ctx.storage.sql
      .exec<{ state: string }>('SELECT state FROM sessions ORDER BY last_activity DESC, id LIMIT ?', limit)
      .toArray()
      .map((row) => JSON.parse(row.state) as SessionState)
  }
}
