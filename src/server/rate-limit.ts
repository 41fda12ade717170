/**
 * Per-client limits on what starts turns (each turn costs model tokens and a Claude Code process): a token
 * bucket per key — the bearer token when the server has AUTH_TOKEN… or the client address — refilled
 * continuously. `take` says whether one more turn may start now and, if not, how long to wait.
 */

export interface RateLimitOptions {
  /** Turns per minute in the long run. */
  perMinute: number
  /** Turns that may start at once after a quiet period. */
  burst: number
  now?: () => number
  /** Buckets idle for longer than this are forgotten (keeps memory bounded). */
  idleMs?: number
}

interface Bucket {
  tokens: number
  at: number
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private readonly now: () => number
  private readonly ratePerMs: number
  private lastSweep = 0

  constructor(private readonly options: RateLimitOptions) {
    this.now = options.now ?? Date.now
    this.ratePerMs = options.perMinute / 60_000
  }

  /** Takes one turn from `key`'s bucket; `{ ok: false, retryAfterMs }` when it is empty. */
  take(key: string): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this.now()
    this.sweep(now)
    const bucket = this.buckets.get(key) ?? { tokens: this.options.burst, at: now }
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + (now - bucket.at) * this.ratePerMs)
    bucket.at = now
    this.buckets.set(key, bucket)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return { ok: true }
    }
    return { ok: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / this.ratePerMs) }
  }

  private sweep(now: number): void {
    const idle = this.options.idleMs ?? 10 * 60_000
    if (now - this.lastSweep < idle) return
    this.lastSweep = now
    for (const [key, bucket] of this.buckets) if (now - bucket.at > idle) this.buckets.delete(key)
  }
}
