/**
 * The few SQL operations the session store needs, so one store runs on better-sqlite3 (the Node host) and on a
 * Durable Object's `ctx.storage.sql` (the Cloudflare host). Both are synchronous SQLite.
 */
export type SqlValue = string | number | null

export interface SqlDatabase {
  /** Runs one parameterised statement and returns the rows it produced (none for a write without RETURNING). */
  query<Row>(sql: string, ...params: SqlValue[]): Row[]
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): void
  /** Runs `fn` atomically: everything it wrote is kept, or nothing when it throws. */
  transaction<T>(fn: () => T): T
}
