import { describe, expect, it } from 'vitest'
import { HmacSessionTokens } from './hmac-session-tokens.js'

const SECRET = 'a-secret-of-at-least-thirty-two-characters'

describe('HmacSessionTokens', () => {
  it('verifies a token it issued as its session, in another instance holding the same secret', async () => {
    const token = await new HmacSessionTokens(SECRET).issue('session_1')
    expect(token).toMatch(/^art_session_1\.[A-Za-z0-9_-]{43}$/)
    expect(await new HmacSessionTokens(SECRET).verify(token)).toBe('session_1')
  })

  it('refuses a token signed with another secret, or moved to another session', async () => {
    const token = await new HmacSessionTokens(SECRET).issue('a')
    expect(await new HmacSessionTokens(`${SECRET}-other`).verify(token)).toBeUndefined()
    const mac = token.slice(token.lastIndexOf('.'))
    expect(await new HmacSessionTokens(SECRET).verify(`art_b${mac}`)).toBeUndefined()
  })

  it('refuses malformed tokens without throwing', async () => {
    const tokens = new HmacSessionTokens(SECRET)
    for (const bad of [
      undefined,
      '',
      'art_',
      'art_a',
      'art_a.',
      'art_a.!!',
      'art_../x.abc',
      'sk-ant-xyz',
      'art_a.b.c',
    ])
      expect(await tokens.verify(bad)).toBeUndefined()
  })

  it('refuses a short secret', () => {
    expect(() => new HmacSessionTokens('short')).toThrow(/at least 32/)
  })
})
