import { describe, expect, it } from 'vitest'
import { SessionTokens } from './session-tokens.js'

describe('SessionTokens', () => {
  it('issues one token per session and verifies it as that session until revoked', () => {
    const tokens = new SessionTokens()
    const token = tokens.issue('a')
    expect(tokens.issue('a')).toBe(token)
    expect(tokens.issue('b')).not.toBe(token)
    expect(tokens.verify(token)).toBe('a')
    tokens.revoke('a')
    expect(tokens.verify(token)).toBeUndefined()
  })

  it('an unbound token (a warm pool member) names no session until bound, then is the session token', () => {
    const tokens = new SessionTokens()
    const earlier = tokens.issue('s')
    const token = tokens.issueUnbound()
    expect(tokens.verify(token)).toBeUndefined()
    tokens.bind(token, 's')
    expect(tokens.verify(token)).toBe('s')
    expect(tokens.issue('s')).toBe(token)
    // The session had a token before: only the bound one is good now.
    expect(tokens.verify(earlier)).toBeUndefined()
  })

  it('binds a token once: never to a second session, never a session token or a forgotten one', () => {
    const tokens = new SessionTokens()
    const token = tokens.issueUnbound()
    tokens.bind(token, 'first')
    expect(() => tokens.bind(token, 'second')).toThrow(/unbound/)
    expect(tokens.verify(token)).toBe('first')
    expect(() => tokens.bind(tokens.issue('x'), 'y')).toThrow(/unbound/)
    const forgotten = tokens.issueUnbound()
    tokens.forget(forgotten)
    expect(() => tokens.bind(forgotten, 'z')).toThrow(/unbound/)
    expect(tokens.verify(forgotten)).toBeUndefined()
  })
})
