/**
 * What every SessionStore must do, as one suite run against each implementation: better-sqlite3 on Node
 * (sqlite-store.test.ts) and a Durable Object's SQLite inside workerd (the Cloudflare host's tests). Portable:
 * it runs on both runtimes.
 */
import { describe, expect, it as vitestIt } from 'vitest'
import type { SessionPatch, SessionStore } from './session-store.js'

export interface StoreUnderTest {
  /** A store on a fresh, empty database, with the given clock. */
  open(now?: () => number): SessionStore
  /** A second store on the same database as the last `open`, as after a restart. */
  reopen(now?: () => number): SessionStore
}

/**
 * `around` runs each case's body where the store can be opened (inside a Durable Object on Cloudflare);
 * by default it just runs it.
 */
export function sessionStoreContract(
  name: string,
  subject: () => StoreUnderTest,
  around: (body: () => void) => void | Promise<void> = (body) => body(),
): void {
  const it = (title: string, body: () => void) => vitestIt(title, () => around(body))
  describe(`SessionStore contract: ${name}`, () => {
    it('numbers events 1, 2, 3… per session and returns them after a given seq', () => {
      const store = subject().open()
      store.ensureSession('a')
      store.ensureSession('b')
      const a1 = store.appendEvent('a', { type: 'user_message', content: 'hi' })
      const b1 = store.appendEvent('b', { type: 'user_message', content: 'yo' })
      const a2 = store.appendEvent('a', { type: 'result', content: 'hello', data: { x: 1 } })
      expect([a1.seq, b1.seq, a2.seq]).toEqual([1, 1, 2])
      expect(store.eventsAfter('a', 0).map((e) => e.content)).toEqual(['hi', 'hello'])
      expect(store.eventsAfter('a', 1)).toEqual([a2])
      expect(store.eventsAfter('a', 1)[0]?.data).toEqual({ x: 1 })
      expect(store.eventsAfter('a', 0, 1).map((e) => e.seq)).toEqual([1])
    })

    it('keeps sessions, events and seq across a reopen and never reuses a seq', () => {
      const s = subject()
      const first = s.open()
      first.ensureSession('s')
      first.appendEvent('s', { type: 'user_message', content: 'one' })
      first.updateSession('s', { preferredModel: 'groq/x', claudeSessionId: 'cc-1', isRunning: true })
      first.close()
      const second = s.reopen()
      expect(second.getSession('s')).toMatchObject({
        preferredModel: 'groq/x',
        claudeSessionId: 'cc-1',
        isRunning: true,
        lastSeq: 1,
      })
      expect(second.runningSessions().map((r) => r.id)).toEqual(['s'])
      expect(second.appendEvent('s', { type: 'result', content: 'two' }).seq).toBe(2)
    })

    it('refuses an event for a session that does not exist, writing nothing', () => {
      const store = subject().open()
      expect(() => store.appendEvent('missing', { type: 'result', content: 'x' })).toThrow(/does not exist/)
      expect(store.eventsAfter('missing', 0)).toEqual([])
      expect(store.getSession('missing')).toBeUndefined()
    })

    it('round-trips every session field, and clears optional ones with undefined', () => {
      const store = subject().open()
      store.ensureSession('f')
      const patch: SessionPatch = {
        title: 'Title',
        preferredModel: 'groq/y',
        lastCommand: 'do it',
        sessionFiles: ['a.txt', 'b/c.ts'],
        permissionRules: [{ kind: 'prefix', tool: 'Bash', prefix: 'ls' }],
        isRunning: true,
      }
      expect(store.updateSession('f', patch)).toMatchObject(patch)
      expect(store.getSession('f')).toMatchObject(patch)
      expect(store.updateSession('f', { preferredModel: undefined }).preferredModel).toBeUndefined()
      expect(() => store.updateSession('nope', { title: 'x' })).toThrow(/does not exist/)
    })

    it('lists sessions by last activity and deletes a session with its events', () => {
      let now = 1000
      const store = subject().open(() => now)
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
      store.ensureSession('old')
      expect(store.appendEvent('old', { type: 'user_message', content: 'again' }).seq).toBe(1)
    })
  })
}
