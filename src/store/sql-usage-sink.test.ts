import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { usageEntry as entry } from '../../test/fixtures/usage-entry.js'
import { SqlUsageSink } from './sql-usage-sink.js'
import { SqliteSessionStore } from './sqlite-store.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('SqlUsageSink on better-sqlite3', () => {
  it('keeps entries per session across a reopen, newest first, with totals', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ar-usage-'))
    dirs.push(dir)
    const file = join(dir, 'agent-router.db')
    const store = new SqliteSessionStore(file)
    const sink = new SqlUsageSink(store.sql)
    sink.record(entry(1, 's1', 0.001))
    sink.record(entry(2, 's2', null))
    sink.record(entry(3, 's1', 0.002))
    store.close()

    const reopened = new SqliteSessionStore(file)
    const again = new SqlUsageSink(reopened.sql)
    expect(again.query({ sessionId: 's1' }).map((e) => e.requestId)).toEqual(['req_3', 'req_1'])
    expect(again.query({ sessionId: 's1' })[0]).toEqual(entry(3, 's1', 0.002))
    expect(again.query({ limit: 2 }).map((e) => e.requestId)).toEqual(['req_3', 'req_2'])
    expect(again.totals('s1')).toEqual({ requests: 2, inputTokens: 400, outputTokens: 40, costUsd: 0.003 })
    expect(again.totals(undefined).requests).toBe(3)
    expect(again.totals('nobody')).toEqual({ requests: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 })
    reopened.close()
  })

  it("sums a session's calls since a turn began, with no cost when no call had a known price", () => {
    const store = new SqliteSessionStore(':memory:')
    const sink = new SqlUsageSink(store.sql)
    sink.record(entry(1, 's', 0.5))
    sink.record(entry(2, 's', 0.25))
    sink.record(entry(3, 's', null))
    sink.record(entry(4, 'other', 1))
    const turnStart = entry(2, 's', 0).startedAt
    expect(sink.since('s', turnStart)).toEqual({
      requests: 2,
      inputTokens: 500,
      outputTokens: 50,
      costUsd: 0.25,
      lastInputTokens: 300,
    })
    expect(sink.since('s', entry(3, 's', 0).startedAt).costUsd).toBeNull()
    expect(sink.since('nobody', turnStart)).toEqual({
      requests: 0,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: null,
      lastInputTokens: 0,
    })
    store.close()
  })

  it('reports a failed write instead of throwing', () => {
    const store = new SqliteSessionStore(':memory:')
    const errors: unknown[] = []
    const sink = new SqlUsageSink(store.sql, (err) => errors.push(err))
    store.close()
    expect(() => sink.record(entry(1, 's', 0))).not.toThrow()
    expect(errors).toHaveLength(1)
  })
})
