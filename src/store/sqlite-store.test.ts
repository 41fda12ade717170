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

  it('finds sessions by title or by what was said in them, any case, with the latest matching message', () => {
    let t = 1000
    const store = new SqliteSessionStore(':memory:', () => t++)
    store.ensureSession('a')
    store.updateSession('a', { title: 'Deploy the Parser' })
    store.appendEvent('a', { type: 'user_message', content: 'hello' })
    store.ensureSession('b')
    store.appendEvent('b', { type: 'user_message', content: 'Why does the PARSER fail?' })
    store.appendEvent('b', { type: 'tool_use', content: 'Bash: grep parser', data: {} })
    store.appendEvent('b', { type: 'result', content: 'The parser misses a bracket.' })
    store.ensureSession('c')
    store.appendEvent('c', { type: 'tool_use', content: 'Read parser.ts', data: {} })
    store.appendEvent('c', { type: 'user_message', content: "100% sure it's _not_ it" })
    const found = store.searchSessions('parser')
    expect(found.map((m) => m.record.id)).toEqual(['b', 'a'])
    expect(found[0]?.message).toEqual({ seq: 3, text: 'The parser misses a bracket.' })
    expect(found[1]?.message).toBeUndefined()
    // What a person types is text, not a pattern.
    expect(store.searchSessions('100%').map((m) => m.record.id)).toEqual(['c'])
    expect(store.searchSessions('_not_').map((m) => m.record.id)).toEqual(['c'])
    expect(store.searchSessions('%')).toHaveLength(1)
    expect(store.searchSessions('nowhere')).toEqual([])
    store.close()
  })
})
