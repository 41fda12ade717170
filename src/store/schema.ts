/**
 * The session store's schema: versioned, idempotent migrations applied at open. The version is kept in a
 * table, not in `PRAGMA user_version`, because a Durable Object's SQLite refuses pragmas (SQLITE_AUTH).
 */
import { AppError } from '../protocol/errors.js'
import type { SqlDatabase } from './sql-database.js'

export const MIGRATIONS: readonly string[] = [
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

/**
 * Brings the schema to the latest version. `legacyVersion` is the version an older store kept elsewhere
 * (`PRAGMA user_version` on Node), read once when the version table does not exist yet.
 */
export function migrate(db: SqlDatabase, legacyVersion: () => number = () => 0): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)',
  )
  let version = db.query<{ version: number }>('SELECT version FROM schema_version WHERE id = 1')[0]?.version
  if (version === undefined) {
    version = legacyVersion()
    db.query('INSERT INTO schema_version (id, version) VALUES (1, ?)', version)
  }
  if (version > MIGRATIONS.length) {
    throw new AppError(
      'invalid_config',
      `the database was written by a newer agent-router (schema ${version}, this one knows ${MIGRATIONS.length})`,
    )
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!)
      db.query('UPDATE schema_version SET version = ? WHERE id = 1', v + 1)
    })
  }
}
