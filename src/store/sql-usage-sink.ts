/**
 * The router's per-request usage (tokens, cost, TTFT, duration, status) kept in SQL beside the sessions (the
 * `usage` table of schema.ts), so `GET /usage?sessionId=` survives restarts: better-sqlite3 on Node, a
 * session's Durable Object on Cloudflare. Recording never throws: a failed write is reported and dropped,
 * because usage must never break a model request.
 */
import type { UsageEntry, UsageQuery, UsageSink, UsageTotals } from '../router/index.js'
import type { SqlDatabase } from './sql-database.js'

interface Row {
  entry: string
}

export interface TurnUsage {
  requests: number
  inputTokens: number
  outputTokens: number
  costUsd: number | null
  /** Input tokens (cached ones too) of the last call: how much context the model last read. */
  lastInputTokens: number
}

interface TotalsRow {
  requests: number
  input: number | null
  output: number | null
  cost: number | null
}

/** The context a call read: its input tokens, with those read from the prompt cache. */
function contextOf(row: Row | undefined): number {
  if (row === undefined) return 0
  const entry: unknown = JSON.parse(row.entry)
  if (typeof entry !== 'object' || entry === null) return 0
  const { inputTokens, cacheReadTokens } = entry as Record<string, unknown>
  return (
    (typeof inputTokens === 'number' ? inputTokens : 0) +
    (typeof cacheReadTokens === 'number' ? cacheReadTokens : 0)
  )
}

const TOTALS =
  'SELECT count(*) AS requests, sum(input_tokens) AS input, sum(output_tokens) AS output, sum(cost_usd) AS cost FROM usage'

export class SqlUsageSink implements UsageSink {
  constructor(
    private readonly sql: SqlDatabase,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /**
   * What a session's model calls since `startedAt` (ISO) came to: a turn's usage. `costUsd` is null when no
   * call had a known price.
   */
  since(sessionId: string, startedAt: string): TurnUsage {
    const row = this.sql.query<TotalsRow>(
      `${TOTALS} WHERE session_id = ? AND started_at >= ?`,
      sessionId,
      startedAt,
    )[0]
    return {
      requests: row?.requests ?? 0,
      inputTokens: row?.input ?? 0,
      outputTokens: row?.output ?? 0,
      costUsd: row?.cost === null || row?.cost === undefined ? null : Math.round(row.cost * 1e8) / 1e8,
      lastInputTokens: contextOf(
        this.sql.query<Row>(
          `SELECT entry FROM usage WHERE session_id = ? AND started_at >= ?
           ORDER BY started_at DESC, rowid DESC LIMIT 1`,
          sessionId,
          startedAt,
        )[0],
      ),
    }
  }

  record(entry: UsageEntry): void {
    try {
      this.sql.query(
        `INSERT OR REPLACE INTO usage (request_id, session_id, started_at, entry, input_tokens, output_tokens, cost_usd)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        entry.requestId,
        entry.sessionId ?? null,
        entry.startedAt,
        JSON.stringify(entry),
        entry.inputTokens,
        entry.outputTokens,
        entry.costUsd,
      )
    } catch (err) {
      this.onError(err)
    }
  }

  query(query: UsageQuery): UsageEntry[] {
    const limit = query.limit ?? 100
    const rows =
      query.sessionId === undefined
        ? this.sql.query<Row>('SELECT entry FROM usage ORDER BY started_at DESC, rowid DESC LIMIT ?', limit)
        : this.sql.query<Row>(
            'SELECT entry FROM usage WHERE session_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?',
            query.sessionId,
            limit,
          )
    return rows.map((r) => JSON.parse(r.entry) as UsageEntry)
  }

  totals(sessionId: string | undefined): UsageTotals {
    const row =
      sessionId === undefined
        ? this.sql.query<TotalsRow>(TOTALS)[0]
        : this.sql.query<TotalsRow>(`${TOTALS} WHERE session_id = ?`, sessionId)[0]
    return {
      requests: row?.requests ?? 0,
      inputTokens: row?.input ?? 0,
      outputTokens: row?.output ?? 0,
      costUsd: Math.round((row?.cost ?? 0) * 1e8) / 1e8,
    }
  }
}
