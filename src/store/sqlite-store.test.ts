import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { MIGRATIONS } from './schema.js'
import { sessionStoreContract } from './session-store-contract.js'
import { SqliteSessionStore } from './sqlite-store.js'

const dirs: string[] = []
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ar-store-'))
  dirs.push(dir)
  return join(dir, 'agent-router.db')
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

sessionStoreContract('better-sqlite3', () => {
  const file = tempDb()
  return {
    open: (now) => new SqliteSessionStore(file, now),
    reopen: (now) => new SqliteSessionStore(file, now),
  }
})

describe('SqliteSessionStore', () => {
  it('takes over the schema version of a database written with PRAGMA user_version', () => {
    const file = tempDb()
    const old = new Database(file)
    old.exec(MIGRATIONS[0]!)
    old.exec(MIGRATIONS[1]!)
    old.prepare("INSERT INTO sessions (id, created_at, last_activity, last_seq) VALUES ('s', 1, 1, 4)").run()
    old.pragma('user_version = 2')
    old.close()
    const store = new SqliteSessionStore(file)
    expect(store.getSession('s')).toMatchObject({ lastSeq: 4, permissionRules: [] })
    const version = store.database.prepare('SELECT version FROM schema_version').get() as { version: number }
    expect(version.version).toBe(MIGRATIONS.length)
    store.close()
  })

  it('refuses a database written by a newer version, naming both schema versions', () => {
    const file = tempDb()
    new SqliteSessionStore(file).close()
    const db = new Database(file)
    db.prepare('UPDATE schema_version SET version = ?').run(MIGRATIONS.length + 1)
    db.close()
    expect(() => new SqliteSessionStore(file)).toThrow(/newer agent-router \(schema 4, this one knows 3\)/)
  })
})
