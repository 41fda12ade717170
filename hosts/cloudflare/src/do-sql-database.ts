/** A Durable Object's SQLite (`ctx.storage.sql`) as the session store's SqlDatabase. */
import type { SqlDatabase, SqlValue } from '../../../src/store/sql-database.js'

export function durableObjectDatabase(storage: DurableObjectStorage): SqlDatabase {
  return {
    query<Row>(sql: string, ...params: SqlValue[]): Row[] {
      return storage.sql.exec(sql, ...params).toArray() as Row[]
    },
    exec: (script) => {
      storage.sql.exec(script)
    },
    transaction: (fn) => storage.transactionSync(fn),
  }
}
