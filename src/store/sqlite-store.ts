/**
 * The Node host's SessionStore: SqlSessionStore on a better-sqlite3 file (WAL), prepared statements cached
 * by their text. Databases written before the version table existed keep their `PRAGMA user_version`.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import type { SqlDatabase, SqlValue } from './sql-database.js'
import { SqlSessionStore } from './sql-session-store.js'

/** better-sqlite3 as a SqlDatabase. */
export function betterSqliteDatabase(db: Database.Database): SqlDatabase {
  const statements = new Map<string, Database.Statement<SqlValue[]>>()
  const prepare = (sql: string) => {
    let statement = statements.get(sql)
    if (statement === undefined) {
      statement = db.prepare<SqlValue[]>(sql)
      statements.set(sql, statement)
    }
    return statement
  }
  return {
    query<Row>(sql: string, ...params: SqlValue[]): Row[] {
      const statement = prepare(sql)
      if (statement.reader) return statement.all(...params) as Row[]
      statement.run(...params)
      return []
    },
    exec: (script) => {
      db.exec(script)
    },
    transaction: (fn) => db.transaction(fn)(),
  }
}

export class SqliteSessionStore extends SqlSessionStore {
  /** The better-sqlite3 connection. */
  readonly database: Database.Database

  constructor(file: string, now: () => number = Date.now) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
    const db = new Database(file)
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    super(betterSqliteDatabase(db), {
      now,
      legacyVersion: () => db.pragma('user_version', { simple: true }) as number,
      close: () => db.close(),
    })
    this.database = db
  }
}
