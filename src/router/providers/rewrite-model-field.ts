/**
 * Replaces the value of the top-level `"model"` field of a JSON text and leaves every other byte alone, so an
 * Anthropic request can be forwarded byte-for-byte (thinking signatures break on re-serialization). Nested
 * `model` keys (a tool's input schema may have one) are not touched.
 */

/** Index just past the string that starts at `start` (which must be a `"`). */
function skipString(text: string, start: number): number {
  let i = start + 1
  while (i < text.length) {
    const ch = text[i]
    if (ch === '\\') i += 2
    else if (ch === '"') return i + 1
    else i++
  }
  return -1
}

function skipSpace(text: string, start: number): number {
  let i = start
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++
  return i
}

/** `text` with the top-level `model` string set to `model`, or undefined when there is no such string. */
export function rewriteModelField(text: string, model: string): string | undefined {
  let depth = 0
  let i = 0
  while (i < text.length) {
    const ch = text[i]
    if (ch === '"') {
      const end = skipString(text, i)
      if (end < 0) return undefined
      if (depth === 1) {
        const colon = skipSpace(text, end)
        if (text[colon] === ':' && JSON.parse(text.slice(i, end)) === 'model') {
          const valueStart = skipSpace(text, colon + 1)
          if (text[valueStart] !== '"') return undefined
          const valueEnd = skipString(text, valueStart)
          if (valueEnd < 0) return undefined
          return text.slice(0, valueStart) + JSON.stringify(model) + text.slice(valueEnd)
        }
      }
      i = end
      continue
    }
    if (ch === '{' || ch === '[') depth++
    else if (ch === '}' || ch === ']') depth--
    i++
  }
  return undefined
}
