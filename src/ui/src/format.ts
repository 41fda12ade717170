/** Small display formatters: relative times, durations, token counts, money, sizes, errors. */

/** A caught error as text for a notice. */
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e))

export function relativeTime(ms: number, now = Date.now()): string {
  const s = Math.round((now - ms) / 1000)
  if (s < 45) return 'just now'
  const m = Math.round(s / 60)
  if (m < 60) return `${m} min ago`
  const h = Math.round(m / 60)
  if (h < 24) return `${h} h ago`
  const d = Math.round(h / 24)
  if (d < 7) return `${d} d ago`
  return new Date(ms).toLocaleDateString()
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}

export function tokens(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`
  return n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : n.toLocaleString('en-US')
}

export function usd(n: number): string {
  if (n === 0) return '$0'
  return n < 0.01 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}

/** A random session id matching ^[A-Za-z0-9_-]{1,64}$. */
export function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9))
  return `s-${Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('')}`
}

/** A compact one-line view of a tool input, for card summaries. */
export function compactJson(v: unknown, max = 120): string {
  let s: string
  try {
    s = typeof v === 'string' ? v : JSON.stringify(v)
  } catch {
    s = String(v)
  }
  s = s ?? ''
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

export function prettyJson(v: unknown): string {
  if (typeof v === 'string') return v
  try {
    return JSON.stringify(v, null, 2) ?? ''
  } catch {
    return String(v)
  }
}

/** A string field of a tool's input, if it has one. */
export function inputText(input: unknown, key: string): string | undefined {
  const v = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[key] : undefined
  return typeof v === 'string' ? v : undefined
}
