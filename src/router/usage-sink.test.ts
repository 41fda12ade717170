import { describe, expect, it } from 'vitest'
import { InMemoryUsageSink, type UsageEntry } from './usage-sink.js'

function entry(n: number, sessionId = n % 2 === 0 ? 'even' : 'odd'): UsageEntry {
  return {
    requestId: `req_${n}`,
    sessionId,
    startedAt: new Date(1_700_000_000_000 + n).toISOString(),
    endpoint: 'messages',
    model: 'groq/m',
    provider: 'groq',
    upstreamModel: 'm',
    stream: true,
    status: 200,
    inputTokens: n,
    outputTokens: 1,
    cacheReadTokens: 0,
    costUsd: null,
    ttftMs: 1,
    durationMs: 2,
    retries: 0,
    fallbackModel: undefined,
    cached: false,
    error: undefined,
  }
}

describe('InMemoryUsageSink', () => {
  it('keeps the newest entries once full, newest first, per session and in total', () => {
    const sink = new InMemoryUsageSink(3)
    for (let n = 1; n <= 7; n++) sink.record(entry(n))
    expect(sink.query({}).map((e) => e.requestId)).toEqual(['req_7', 'req_6', 'req_5'])
    expect(sink.query({ limit: 2 }).map((e) => e.requestId)).toEqual(['req_7', 'req_6'])
    expect(sink.query({ sessionId: 'odd' }).map((e) => e.requestId)).toEqual(['req_7', 'req_5'])
    expect(sink.totals(undefined)).toMatchObject({ requests: 3, inputTokens: 18 })
    expect(sink.totals('even')).toMatchObject({ requests: 1, inputTokens: 6 })
  })

  it('answers in order before it is full', () => {
    const sink = new InMemoryUsageSink(10)
    for (let n = 1; n <= 4; n++) sink.record(entry(n))
    expect(sink.query({}).map((e) => e.requestId)).toEqual(['req_4', 'req_3', 'req_2', 'req_1'])
  })
})
