/**
 * Per-request usage, recorded per session: the router writes one entry when a request ends (stream closed,
 * failed or cancelled) and `GET /usage?sessionId=` reads them back. The durable implementation lives in the
 * store (SQLite); `InMemoryUsageSink` is the default and the reference for its behaviour.
 */

export interface UsageEntry {
  /** Unique per request (`req_…`). */
  requestId: string
  /** The session whose token made the request; undefined for the master key or an open router. */
  sessionId: string | undefined
  /** ISO time the request arrived. */
  startedAt: string
  endpoint: 'messages' | 'chat_completions' | 'count_tokens'
  /** The model name the client asked for. */
  model: string
  /** The provider and upstream model that answered (the last one tried when all failed). */
  provider: string | undefined
  upstreamModel: string | undefined
  stream: boolean
  /** The HTTP status the client got; 200 with `error` set for a stream that failed after it started. */
  status: number
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  /** USD from the price table; null when the model has no known price. */
  costUsd: number | null
  /** Time to first byte sent to the client; null when nothing was sent. */
  ttftMs: number | null
  durationMs: number
  retries: number
  /** The model that answered instead, when a fallback served the request. */
  fallbackModel: string | undefined
  cached: boolean
  error: string | undefined
}

export interface UsageQuery {
  sessionId?: string
  /** Newest first, at most this many (default 100). */
  limit?: number
}

export interface UsageTotals {
  requests: number
  inputTokens: number
  outputTokens: number
  costUsd: number
}

/** Where the router writes usage. `record` must not throw; `query` answers newest first. */
export interface UsageSink {
  record(entry: UsageEntry): void | Promise<void>
  query(query: UsageQuery): UsageEntry[] | Promise<UsageEntry[]>
  /** Totals over every entry of the session (all when undefined); computed from `query` when absent. */
  totals?(sessionId: string | undefined): UsageTotals | Promise<UsageTotals>
}

export function sumUsage(entries: readonly UsageEntry[]): UsageTotals {
  const totals: UsageTotals = { requests: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 }
  for (const e of entries) {
    totals.requests++
    totals.inputTokens += e.inputTokens
    totals.outputTokens += e.outputTokens
    totals.costUsd += e.costUsd ?? 0
  }
  totals.costUsd = Math.round(totals.costUsd * 1e8) / 1e8
  return totals
}

/** Keeps the newest `capacity` entries in memory (a ring: recording costs the same when it is full). */
export class InMemoryUsageSink implements UsageSink {
  private readonly ring: UsageEntry[] = []
  private next = 0

  constructor(private readonly capacity = 10_000) {}

  record(entry: UsageEntry): void {
    if (this.ring.length < this.capacity) this.ring.push(entry)
    else this.ring[this.next] = entry
    this.next = (this.next + 1) % this.capacity
  }

  /** Oldest first. */
  private entries(): UsageEntry[] {
    if (this.ring.length < this.capacity) return this.ring
    return [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)]
  }

  private matching(sessionId: string | undefined): UsageEntry[] {
    const entries = this.entries()
    return sessionId === undefined ? entries : entries.filter((e) => e.sessionId === sessionId)
  }

  query(query: UsageQuery): UsageEntry[] {
    return this.matching(query.sessionId)
      .slice(-(query.limit ?? 100))
      .reverse()
  }

  totals(sessionId: string | undefined): UsageTotals {
    return sumUsage(this.matching(sessionId))
  }
}
