import { describe, expect, it } from 'vitest'
import { redact } from './upstream-error.js'

describe('redact', () => {
  it('removes secrets from text', () => {
    expect(redact('bad key sk-12345 given', ['sk-12345', undefined])).toBe('bad key [redacted] given')
  })
})
