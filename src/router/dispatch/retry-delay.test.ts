import { describe, expect, it } from 'vitest'
import { parseRetryAfter, retryDelay } from './retry-delay.js'

describe('retryDelay', () => {
  const options = { baseMs: 500, exponential: true, maxRetryAfterMs: 60_000 }

  it('backs off exponentially with jitter between half and all of each step', () => {
    expect(retryDelay(0, undefined, { ...options, random: () => 0 })).toBe(250)
    expect(retryDelay(0, undefined, { ...options, random: () => 1 })).toBe(500)
    expect(retryDelay(2, undefined, { ...options, random: () => 1 })).toBe(2000)
    expect(retryDelay(10, undefined, { ...options, random: () => 1 })).toBe(8000)
    expect(retryDelay(3, undefined, { ...options, exponential: false, random: () => 1 })).toBe(500)
  })

  it('waits what Retry-After asks, in seconds or as a date, and refuses waits over the limit', () => {
    expect(retryDelay(0, '2', options)).toBe(2000)
    expect(retryDelay(0, '120', options)).toBeUndefined()
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000)
    expect(parseRetryAfter('soon')).toBeUndefined()
  })
})
