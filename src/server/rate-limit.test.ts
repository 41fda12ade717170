import { describe, expect, it } from 'vitest'
import { RateLimiter } from './rate-limit.js'

describe('RateLimiter', () => {
  it('allows a burst, then one turn per refill interval, per key', () => {
    let now = 0
    const limiter = new RateLimiter({ perMinute: 6, burst: 2, now: () => now })
    expect(limiter.take('a')).toEqual({ ok: true })
    expect(limiter.take('a')).toEqual({ ok: true })
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterMs: 10_000 })
    expect(limiter.take('b')).toEqual({ ok: true })
    now = 4_000
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterMs: 6_000 })
    now = 10_000
    expect(limiter.take('a')).toEqual({ ok: true })
    expect(limiter.take('a').ok).toBe(false)
  })

  it('refills up to the burst and no further', () => {
    let now = 0
    const limiter = new RateLimiter({ perMinute: 60, burst: 3, now: () => now })
    for (let i = 0; i < 3; i++) limiter.take('k')
    now = 3_600_000
    const results = Array.from({ length: 4 }, () => limiter.take('k').ok)
    expect(results).toEqual([true, true, true, false])
  })
})
