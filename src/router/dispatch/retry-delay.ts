/**
 * How long to wait before the next attempt: the provider's `Retry-After` (seconds or an HTTP date) when it
 * sent one, else exponential backoff with full jitter (`base * 2^attempt`, capped at 8 s). Undefined when the
 * provider asks for a wait longer than the router is willing to hold the client.
 */

const MAX_BACKOFF_MS = 8_000

export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

export interface DelayOptions {
  baseMs: number
  exponential: boolean
  maxRetryAfterMs: number
  random?: () => number
}

export function retryDelay(
  attempt: number,
  retryAfter: string | undefined,
  o: DelayOptions,
): number | undefined {
  const asked = parseRetryAfter(retryAfter)
  if (asked !== undefined) return asked > o.maxRetryAfterMs ? undefined : asked
  const ceiling = Math.min(MAX_BACKOFF_MS, o.exponential ? o.baseMs * 2 ** attempt : o.baseMs)
  // Full jitter between half and all of the step, so clients retrying together spread out.
  return ceiling / 2 + (o.random ?? Math.random)() * (ceiling / 2)
}
