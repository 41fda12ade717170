/**
 * Most events of a streamed answer are the same JSON text around a different piece of content:
 * `{"id":"x",…,"choices":[{"index":0,"delta":{"content":"<text>"},"finish_reason":null}]}`. After one such
 * event was parsed, the text before and after its content string is remembered; a later event that is exactly
 * that text around one valid JSON string literal is the same chunk with other content, and is read without
 * `JSON.parse` (the largest per-event cost of the translation). Anything else is parsed in full.
 */
import type { ChatCompletionChunk } from './openai-schema.js'

const CONTENT_KEY = '"content":'
const CHOICE_KEYS = new Set(['index', 'delta', 'finish_reason', 'logprobs'])
/** A quote, a backslash or a control character: the literal needs `JSON.parse` (or is invalid). */
function needsDecoding(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 32 || c === 34 || c === 92) return true
  }
  return false
}

/** Escapes `JSON.stringify` writes itself for the characters it must escape (others take \\u00XX). */
const STRINGIFY_ESCAPES = new Set([34, 92, 98, 102, 110, 114, 116]) // " \ b f n r t

/**
 * True when `s` (the inside of a JSON string literal) is exactly what `JSON.stringify` makes of the string
 * it denotes: no raw quote or control character, and only the short escapes for `"` `\` and controls.
 */
export function isStringifyLiteral(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 32 || c === 34) return false
    if (c === 92) {
      if (!STRINGIFY_ESCAPES.has(s.charCodeAt(i + 1))) return false
      i++
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // Surrogates: JSON.stringify escapes a lone one; a pair stays as it is.
      const next = s.charCodeAt(i + 1)
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return false
      i++
    }
  }
  return true
}

export class ChunkTemplate {
  private prefix: string | undefined
  private suffix = ''
  private id: string | null | undefined
  private index: number | null | undefined

  get learned(): boolean {
    return this.prefix !== undefined
  }

  /** Remembers the shape of `data` when it is a plain content delta (parsed into `chunk`). */
  learn(data: string, chunk: ChatCompletionChunk): void {
    if (chunk.usage || chunk.error || chunk.choices?.length !== 1) return
    const choice = chunk.choices[0]
    if (!choice || choice.finish_reason || !choice.delta) return
    for (const k of Object.keys(choice)) if (!CHOICE_KEYS.has(k)) return
    const keys = Object.keys(choice.delta)
    const content = choice.delta.content
    if (keys.length !== 1 || keys[0] !== 'content' || typeof content !== 'string') return
    const at = data.indexOf(CONTENT_KEY)
    if (at < 0 || data.indexOf(CONTENT_KEY, at + 1) >= 0) return
    let value = at + CONTENT_KEY.length
    while (data.charCodeAt(value) === 32) value++
    const literal = JSON.stringify(content)
    if (!data.startsWith(literal, value)) return
    const prefix = data.slice(0, value + 1)
    const suffix = data.slice(value + literal.length - 1)
    // No escapes around the content: every key is spelled out, so the one `"content":` is the delta's.
    if (prefix.includes('\\') || suffix.includes('\\')) return
    this.prefix = prefix
    this.suffix = suffix
    this.id = chunk.id
    this.index = choice.index
  }

  /** The learned text around the content literal's inside, once learned. */
  get shape(): { prefix: string; suffix: string } | undefined {
    return this.prefix === undefined ? undefined : { prefix: this.prefix, suffix: this.suffix }
  }

  /** The inside of `data`'s content literal (still escaped) when `data` has the learned shape. */
  literalOf(data: string): string | undefined {
    const prefix = this.prefix
    if (prefix === undefined) return undefined
    const end = data.length - this.suffix.length
    if (end < prefix.length || !data.startsWith(prefix) || !data.endsWith(this.suffix)) return undefined
    return data.slice(prefix.length, end)
  }

  /** The chunk a learned-shape event with content literal `literal` (from `literalOf`) stands for. */
  chunkOf(literal: string): ChatCompletionChunk | undefined {
    let content = literal
    if (needsDecoding(content)) {
      try {
        content = JSON.parse(`"${content}"`) as string
      } catch {
        return undefined
      }
    }
    return { id: this.id, choices: [{ index: this.index, delta: { content }, finish_reason: null }] }
  }
}
