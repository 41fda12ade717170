import { describe, expect, it } from 'vitest'
import { usageEntry } from '../../../test/fixtures/usage-entry.js'
import { InMemoryUsageSink } from './usage-sink.js'

const entry = (n: number) => usageEntry(n, n % 2 === 0 ? 'even' : 'odd', null)

describe('InMemoryUsageSink', () => {
  it('keeps the newest entries once full, newest first, per session and in total', () => {
    const sink = new InMemoryUsageSink(3)
    for (let n = 1; n <= 7; n++) sink.record(entry(n))
    expect(sink.query({}).map((e) => e.requestId)).toEqual(['req_7', 'req_6', 'req_5'])
    expect(sink.query({ limit: 2 }).map((e) => e.requestId)).toEqual(['req_7', 'req_6'])
    expect(sink.query({ sessionId: 'odd' }).map((e) => e.requestId)).toEqual(['req_7', 'req_5'])
    expect(sink.totals(undefined)).toMatchObject({ requests: 3, inputTokens: 1800 })
    expect(sink.totals('even')).toMatchObject({ requests: 1, inputTokens: 600 })
  })

  it('answers in order before it is full', () => {
    const sink = new InMemoryUsageSink(10)
    for (let n = 1; n <= 4; n++) sink.record(entry(n))
    expect(sink.query({}).map((e) => e.requestId)).toEqual(['req_4', 'req_3', 'req_2', 'req_1'])
  })
})
