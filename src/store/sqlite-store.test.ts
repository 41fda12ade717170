import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
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

describe('SqliteSessionStore', () => {
  it('numbers events 1, 2, 3… per session and returns them after a given seq', () => {
    const store = new SqliteSessionStore(tempDb())
    store.ensureSession('a')
    store.ensureSession('b')
    const a1 = store.appendEvent('a', { type: 'user_message', content: 'hi' })
    const b1 = store.appendEvent('b', { type: 'user_message', content: 'yo' })
    const a2 = store.appendEvent('a', { type: 'result', content: 'hello', data: { x: 1 } })
    expect([a1.seq, b1.seq, a2.seq]).toEqual([1, 1, 2])
    expect(store.eventsAfter('a', 0).map((e) => e.content)).toEqual(['hi', 'hello'])
    expect(store.eventsAfter('a', 1)).toEqual([a2])
    expect(store.eventsAfter('a', 1)[0]?.data).toEqual({ x: 1 })
  })

  it('keeps sessions, events and seq across a reopen and never reuses a seq', () => {
    const file = tempDb()
    const first = new SqliteSessionStore(file)
    first.ensureSession('s')
    first.appendEvent('s', { type: 'user_message', content: 'one' })
    first.updateSession('s', { preferredModel: 'groq/x', claudeSessionId: 'cc-1', isRunning: true })
    first.close()
    const second = new SqliteSessionStore(file)
    const session = second.getSession('s')
    expect(session).toMatchObject({
      preferredModel: 'groq/x',
      claudeSessionId: 'cc-1',
      isRunning: true,
      lastSeq: 1,
    })
    expect(second.runningSessions().map((s) => s.id)).toEqual(['s'])
    expect(second.appendEvent('s', { type: 'result', content: 'two' }).seq).toBe(2)
    second.close()
  })

  it('refuses an event for a session that does not exist, writing nothing', () => {
    const store = new SqliteSessionStore(tempDb())
    expect(() => store.appendEvent('missing', { type: 'result', content: 'x' })).toThrow(/does not exist/)
    expect(store.eventsAfter('missing', 0)).toEqual([])
  })

  it('lists sessions by last activity and deletes a session with its events', () => {
    let now = 1000
    const store = new SqliteSessionStore(tempDb(), () => now)
    store.ensureSession('old')
    now = 2000
    store.ensureSession('new')
    expect(store.listSessions().map((s) => s.id)).toEqual(['new', 'old'])
    now = 3000
    store.appendEvent('old', { type: 'user_message', content: 'bump' })
    expect(store.listSessions().map((s) => s.id)).toEqual(['old', 'new'])
    store.deleteSession('old')
    expect(store.getSession('old')).toBeUndefined()
    expect(store.eventsAfter('old', 0)).toEqual([])
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
