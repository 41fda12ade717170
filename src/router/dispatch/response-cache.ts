/**
 * In-memory cache of identical non-streaming answers (`litellm_settings.cache: true`): keyed by endpoint and
 * the exact request body, kept for the TTL, oldest dropped beyond `maxEntries`. Only 200 answers are kept.
 */

export interface CachedAnswer {
  body: string
  headers: Record<string, string>
  expires: number
}

export class ResponseCache {
  private readonly entries = new Map<string, CachedAnswer>()

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  static async key(endpoint: string, body: string): Promise<string> {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${endpoint}\n${body}`))
    let hex = ''
    for (const b of new Uint8Array(digest)) hex += b.toString(16).padStart(2, '0')
    return hex
  }

  get(key: string): CachedAnswer | undefined {
    const hit = this.entries.get(key)
    if (!hit) return undefined
    if (hit.expires <= this.now()) {
      this.entries.delete(key)
      return undefined
    }
    return hit
  }

  set(key: string, body: string, headers: Record<string, string>): void {
    this.entries.delete(key)
    this.entries.set(key, { body, headers, expires: this.now() + this.ttlMs })
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value
      if (oldest === undefined) break
      this.entries.delete(oldest)
    }
  }
}
