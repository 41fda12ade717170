/**
 * Most events of a streamed answer are the same JSON text around a different piece of content:
 * `{"id":"x",…,"choices":[{"index":0,"delta":{"content":"<text>"},"finish_reason":null}]}`, or, while a tool
 * call streams, `…"delta":{"tool_calls":[{"index":0,"function":{"arguments":"<piece>"}}]}…`. After one such
 * event was parsed, the text before and after its string is remembered; a later event that is exactly that
 * text around one valid JSON string literal is the same chunk with another string, and is read without
 * `JSON.parse` (the largest per-event cost of the translation). Anything else is parsed in full.
 */
import type { ChatCompletionChunk } from './openai-schema.js'

type ChunkDelta = NonNullable<NonNullable<ChatCompletionChunk['choices']>[number]['delta']>

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

/** The string a template is learned around: a text delta's content, or a streamed tool call's arguments. */
export type TemplateField = 'content' | 'arguments'

const TOOL_CALL_KEYS = new Set(['index', 'type', 'function'])

/** The one tool call's index and arguments of a delta that carries nothing else, plainly. */
function argumentsDelta(delta: ChunkDelta): { index: number; text: string } | undefined {
  const keys = Object.keys(delta)
  const calls = delta.tool_calls
  if (keys.length !== 1 || keys[0] !== 'tool_calls' || calls?.length !== 1) return undefined
  const call = calls[0]
  if (!call || !Number.isInteger(call.index)) return undefined
  for (const k of Object.keys(call)) if (!TOOL_CALL_KEYS.has(k)) return undefined
  const f = call.function
  const fkeys = f ? Object.keys(f) : []
  if (fkeys.length !== 1 || fkeys[0] !== 'arguments' || typeof f?.arguments !== 'string') return undefined
  return { index: call.index as number, text: f.arguments }
}

/** The string a JSON string literal's inside (`literalOf`) denotes; `undefined` when it is not valid. */
export function decodeLiteral(literal: string): string | undefined {
  if (!needsDecoding(literal)) return literal
  try {
    return JSON.parse(`"${literal}"`) as string
  } catch {
    return undefined
  }
}

export class ChunkTemplate {
  private prefix: string | undefined
  private suffix = ''
  private id: string | null | undefined
  private index: number | null | undefined
  private tool = 0
  private readonly key: string

  constructor(readonly field: TemplateField = 'content') {
    this.key = `"${field}":`
  }

  get learned(): boolean {
    return this.prefix !== undefined
  }

  /** The choice index of the learned chunks. */
  get choiceIndex(): number {
    return this.index ?? 0
  }

  /** The tool call index of the learned chunks (`arguments` templates). */
  get toolIndex(): number {
    return this.tool
  }

  /**
   * Remembers the shape of `data` when it is a plain delta of the template's field (parsed into `chunk`);
   * an `arguments` template learns again for every call.
   */
  learn(data: string, chunk: ChatCompletionChunk): void {
    if (chunk.usage || chunk.error || chunk.choices?.length !== 1) return
    const choice = chunk.choices[0]
    if (!choice || choice.finish_reason || !choice.delta) return
    for (const k of Object.keys(choice)) if (!CHOICE_KEYS.has(k)) return
    let text: string
    let tool = 0
    if (this.field === 'content') {
      const keys = Object.keys(choice.delta)
      const content = choice.delta.content
      if (keys.length !== 1 || keys[0] !== 'content' || typeof content !== 'string') return
      text = content
    } else {
      const args = argumentsDelta(choice.delta)
      if (!args) return
      text = args.text
      tool = args.index
    }
    const key = this.key
    const at = data.indexOf(key)
    if (at < 0 || data.indexOf(key, at + 1) >= 0) return
    let value = at + key.length
    while (data.charCodeAt(value) === 32) value++
    const literal = JSON.stringify(text)
    if (!data.startsWith(literal, value)) return
    const prefix = data.slice(0, value + 1)
    const suffix = data.slice(value + literal.length - 1)
    // No escapes around the string: every key is spelled out, so the one key found is the delta's.
    if (prefix.includes('\\') || suffix.includes('\\')) return
    this.prefix = prefix
    this.suffix = suffix
    this.id = chunk.id
    this.index = choice.index
    this.tool = tool
  }

  /** The learned text around the string literal's inside, once learned. */
  get shape(): { prefix: string; suffix: string } | undefined {
    return this.prefix === undefined ? undefined : { prefix: this.prefix, suffix: this.suffix }
  }

  /** The inside of `data`'s string literal (still escaped) when `data` has the learned shape. */
  literalOf(data: string): string | undefined {
    const prefix = this.prefix
    if (prefix === undefined) return undefined
    const end = data.length - this.suffix.length
    if (end < prefix.length || !data.startsWith(prefix) || !data.endsWith(this.suffix)) return undefined
    return data.slice(prefix.length, end)
  }

  /** The chunk a learned-shape event with string literal `literal` (from `literalOf`) stands for. */
  chunkOf(literal: string): ChatCompletionChunk | undefined {
    const text = decodeLiteral(literal)
    if (text === undefined) return undefined
    const delta =
      this.field === 'content'
        ? { content: text }
        : { tool_calls: [{ index: this.tool, function: { arguments: text } }] }
    return { id: this.id, choices: [{ index: this.index, delta, finish_reason: null }] }
  }
}
