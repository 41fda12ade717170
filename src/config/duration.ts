/** Parses durations like `500ms`, `30s`, `10m`, `1h`, `1d`, or a bare number of seconds. */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text)
  if (!match) return undefined
  const value = Number(match[1])
  const unit = UNITS[match[2] ?? 's']
  if (unit === undefined || !Number.isFinite(value)) return undefined
  return Math.round(value * unit)
}
