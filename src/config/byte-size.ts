/** Parses sizes like `512m`, `2g`, `1.5GiB`, `100000k` or a bare number of bytes (binary units: k = 1024). */
const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }

export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text)
  if (!match) return undefined
  const unit = UNITS[(match[2] ?? '').toLowerCase()]
  const value = Number(match[1])
  if (unit === undefined || !Number.isFinite(value)) return undefined
  return Math.round(value * unit)
}

/** `2147483648` -> `2 GiB`, `805306368` -> `768 MiB`. */
export function formatByteSize(bytes: number): string {
  for (const [unit, size] of [
    ['TiB', 1024 ** 4],
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size) {
      const value = bytes / size
      return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`
    }
  }
  return `${bytes} bytes`
}
