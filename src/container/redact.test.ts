import { describe, expect, it } from 'vitest'
import { REDACTED, redactSecrets, secretValuesOf } from './redact.js'

describe('redactSecrets', () => {
  it('redacts strings under secret-looking names at any depth', () => {
    const input = {
      GROQ_API_KEY: 'gsk_1',
      nested: { Authorization: 'Bearer abc', auth: { user: 'me', pass: 'pw' } },
      list: [{ db_password: 'hunter2' }],
      PATH: '/usr/bin',
    }
    expect(redactSecrets(input, [])).toEqual({
      GROQ_API_KEY: REDACTED,
      nested: { Authorization: REDACTED, auth: { user: REDACTED, pass: REDACTED } },
      list: [{ db_password: REDACTED }],
      PATH: '/usr/bin',
    })
  })

  it('keeps numbers and booleans under such names (token counts stay readable)', () => {
    expect(redactSecrets({ usage: { input_tokens: 12 }, hasAuthToken: true }, [])).toEqual({
      usage: { input_tokens: 12 },
      hasAuthToken: true,
    })
  })

  it('redacts values equal to a secret and long secrets embedded in text', () => {
    const secret = 'router-token-0123456789'
    const out = redactSecrets({ a: secret, b: `url?t=${secret}&x=1`, c: ['x', secret], d: 'short' }, [
      secret,
      'short',
    ])
    expect(out).toEqual({ a: REDACTED, b: `url?t=${REDACTED}&x=1`, c: ['x', REDACTED], d: REDACTED })
  })

  it('does not redact short secrets inside longer text', () => {
    expect(redactSecrets({ msg: 'value 1 of 10' }, ['1'])).toEqual({ msg: 'value 1 of 10' })
  })

  it('handles errors, cycles and leaves its input untouched', () => {
    const secret = 'a-long-secret-value'
    const input: Record<string, unknown> = { error: new Error(`failed with ${secret}`) }
    input.self = input
    const out = redactSecrets(input, [secret]) as { error: { message: string }; self: unknown }
    expect(out.error.message).toBe(`failed with ${REDACTED}`)
    expect(out.self).toBe('[Circular]')
    expect((input.error as Error).message).toContain(secret)
  })

  it('collects the values of secret-looking variables', () => {
    expect(
      secretValuesOf({ ANTHROPIC_AUTH_TOKEN: 't1', MY_SECRET: 's', PATH: '/bin', EMPTY_KEY: '' }).sort(),
    ).toEqual(['s', 't1'])
  })
})
