/**
 * Finding an ASCII pattern in bytes without decoding them: how the usage reader finds `"usage"` and the
 * blank lines between SSE events in what it kept of a stream.
 */

/**
 * A pattern and the index of the byte that is searched for first. A search costs one native `indexOf` call
 * per occurrence of that byte, so it should be the pattern's least common byte in the text searched: for
 * `"usage"` in SSE JSON the `g`, not the `"` around every key and string (~900 of them in a 40-word answer).
 */
export interface Needle {
  bytes: Uint8Array
  anchor: number
}

/** `pattern` (ASCII) searched by its first `rarest` character. */
export function needle(pattern: string, rarest: string): Needle {
  return { bytes: new TextEncoder().encode(pattern), anchor: pattern.indexOf(rarest) }
}

function startsAt(bytes: Uint8Array, pattern: Uint8Array, at: number): boolean {
  for (let i = 0; i < pattern.length; i++) if (bytes[at + i] !== pattern[i]) return false
  return true
}

/** Where `needle` first occurs in `bytes` at or after `from`, or -1. */
export function indexOf(bytes: Uint8Array, needle: Needle, from = 0): number {
  const { bytes: pattern, anchor } = needle
  const byte = pattern[anchor] as number
  const last = bytes.length - pattern.length
  for (let at = bytes.indexOf(byte, from + anchor) - anchor; at >= from && at <= last; ) {
    if (startsAt(bytes, pattern, at)) return at
    at = bytes.indexOf(byte, at + anchor + 1) - anchor
  }
  return -1
}

/** Where the last occurrence of `needle` in `bytes` that starts at or before `from` starts, or -1. */
export function lastIndexOf(bytes: Uint8Array, needle: Needle, from = bytes.length): number {
  const { bytes: pattern, anchor } = needle
  const byte = pattern[anchor] as number
  for (let at = Math.min(from, bytes.length - pattern.length); at >= 0; at--) {
    at = bytes.lastIndexOf(byte, at + anchor) - anchor
    if (at < 0) return -1
    if (startsAt(bytes, pattern, at)) return at
  }
  return -1
}
