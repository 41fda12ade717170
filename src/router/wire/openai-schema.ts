/**
 * OpenAI chat-completions wire types: the request the router builds (plain types) and the responses it reads
 * from providers (zod schemas, loose, because every provider adds its own fields).
 */
import { z } from 'zod'

export type OpenAIContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } }

export interface OpenAIToolCall {
  id: string
  type: 'function'
  function: { name: string; arguments: string }
}

export type OpenAIMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | OpenAIContentPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: OpenAIToolCall[]; reasoning_content?: string }
  | { role: 'tool'; tool_call_id: string; content: string }

export interface OpenAITool {
  type: 'function'
  function: { name: string; description?: string; parameters: Record<string, unknown> }
}

export type OpenAIToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } }

export interface OpenAIChatRequest {
  model: string
  messages: OpenAIMessage[]
  max_tokens?: number
  max_completion_tokens?: number
  stream: boolean
  stream_options?: { include_usage: boolean }
  tools?: OpenAITool[]
  tool_choice?: OpenAIToolChoice
  parallel_tool_calls?: boolean
  stop?: string[]
  temperature?: number
  top_p?: number
  [extra: string]: unknown
}

export const OpenAIUsage = z.looseObject({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().nullish() }).nullish(),
})
export type OpenAIUsage = z.infer<typeof OpenAIUsage>

/** Some providers send arguments as an object instead of a JSON string. */
const Arguments = z
  .union([z.string(), z.record(z.string(), z.unknown())])
  .nullish()
  .transform((v) =>
    v === null || v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v),
  )

export const ToolCallDelta = z.looseObject({
  index: z.number().int().nullish(),
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: Arguments }).nullish(),
})
export type ToolCallDelta = z.infer<typeof ToolCallDelta>

/** Reasoning is kept only when it is a string; any other shape is dropped (conformance case 11). */
const Reasoning = z
  .unknown()
  .transform((v) => (typeof v === 'string' ? v : undefined))
  .optional()

/**
 * `content` as a string, or as an array of typed parts (Mistral's Magistral streams
 * `[{type: 'thinking', thinking: [{type: 'text', text}]}]`, then `[{type: 'text', text}]`); `refusal` is
 * OpenAI's text for a request the model declines.
 */
const Content = z.union([z.string(), z.array(z.unknown())]).nullish()

/** The text of a part's `text` or `thinking`: a string, or an array of `{type: 'text', text}` parts. */
function partText(value: unknown): string {
  if (typeof value === 'string') return value
  if (!Array.isArray(value)) return ''
  return value.map((p) => (isRecord(p) && typeof p.text === 'string' ? p.text : '')).join('')
}

/**
 * A message or delta with typed content parts and refusal text folded into the plain fields the translators
 * read: `text` parts and `refusal` into `content`, `thinking`/`reasoning` parts into `reasoning_content`.
 * Parts of other types (images, citations, …) are dropped.
 */
function foldParts<
  T extends {
    content?: string | unknown[] | null | undefined
    reasoning_content?: string | undefined
    refusal?: string | null | undefined
  },
>(m: T): T & { content?: string | null | undefined } {
  if (!Array.isArray(m.content) && !m.refusal) return m as T & { content?: string | null }
  let text = ''
  let thinking = ''
  if (Array.isArray(m.content)) {
    for (const part of m.content) {
      if (!isRecord(part)) continue
      if (part.type === 'text') text += partText(part.text)
      else if (part.type === 'thinking' || part.type === 'reasoning')
        thinking += partText(part.thinking ?? part.reasoning ?? part.text)
    }
  } else if (typeof m.content === 'string') text = m.content
  if (m.refusal) text += m.refusal
  const reasoning = `${m.reasoning_content ?? ''}${thinking}`
  return {
    ...m,
    content: text === '' ? null : text,
    reasoning_content: reasoning === '' ? undefined : reasoning,
  } as T & { content?: string | null }
}

export const ChunkChoice = z.looseObject({
  index: z.number().int().nullish(),
  delta: z
    .looseObject({
      content: Content,
      refusal: z.string().nullish(),
      reasoning_content: Reasoning,
      reasoning: Reasoning,
      tool_calls: z.array(ToolCallDelta).nullish(),
    })
    .transform(foldParts)
    .nullish(),
  finish_reason: z.string().nullish(),
})

const UpstreamError = z.looseObject({ message: z.string().optional(), code: z.unknown() })

export const ChatCompletionChunk = z.looseObject({
  id: z.string().nullish(),
  choices: z.array(ChunkChoice).nullish(),
  usage: OpenAIUsage.nullish(),
  error: z.union([UpstreamError, z.string()]).nullish(),
})
export type ChatCompletionChunk = z.output<typeof ChatCompletionChunk>

export const ChatCompletion = z.looseObject({
  id: z.string().nullish(),
  choices: z.array(
    z.looseObject({
      index: z.number().int().nullish(),
      message: z
        .looseObject({
          content: Content,
          refusal: z.string().nullish(),
          reasoning_content: Reasoning,
          reasoning: Reasoning,
          tool_calls: z
            .array(
              z.looseObject({
                id: z.string().nullish(),
                function: z.looseObject({ name: z.string(), arguments: Arguments }),
              }),
            )
            .nullish(),
        })
        .transform(foldParts),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: OpenAIUsage.nullish(),
})
export type ChatCompletion = z.output<typeof ChatCompletion>

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const absent = (v: unknown) => v === undefined || v === null

/** A streamed tool-call entry the schema would pass through unchanged (arguments as a string or absent). */
function plainToolCallDelta(t: unknown): boolean {
  if (!isRecord(t)) return false
  const f = t.function
  return (
    (absent(t.index) || Number.isInteger(t.index)) &&
    (absent(t.id) || typeof t.id === 'string') &&
    (absent(t.type) || typeof t.type === 'string') &&
    (absent(f) ||
      (isRecord(f) &&
        (absent(f.name) || typeof f.name === 'string') &&
        (f.arguments === undefined || typeof f.arguments === 'string')))
  )
}

/**
 * A stream chunk of the most common kinds — text deltas, tool-call deltas with string arguments and finish
 * reasons, nothing else to convert — checked by hand; anything else (reasoning, usage, errors, arguments as
 * objects) goes through the `ChatCompletionChunk` schema. Most chunks of a long answer are of these kinds,
 * and the schema costs more than the rest of their translation.
 */
export function parseChunk(json: unknown): ChatCompletionChunk | undefined {
  if (
    isRecord(json) &&
    absent(json.error) &&
    absent(json.usage) &&
    (absent(json.id) || typeof json.id === 'string') &&
    Array.isArray(json.choices) &&
    json.choices.every(
      (c: unknown) =>
        isRecord(c) &&
        (absent(c.index) || Number.isInteger(c.index)) &&
        (absent(c.finish_reason) || typeof c.finish_reason === 'string') &&
        (absent(c.delta) ||
          (isRecord(c.delta) &&
            (absent(c.delta.tool_calls) ||
              (Array.isArray(c.delta.tool_calls) && c.delta.tool_calls.every(plainToolCallDelta))) &&
            c.delta.reasoning === undefined &&
            c.delta.reasoning_content === undefined &&
            absent(c.delta.refusal) &&
            (absent(c.delta.content) || typeof c.delta.content === 'string'))),
    )
  ) {
    return json as ChatCompletionChunk
  }
  const parsed = ChatCompletionChunk.safeParse(json)
  return parsed.success ? parsed.data : undefined
}

const nullishNumber = (v: unknown) => absent(v) || (typeof v === 'number' && Number.isFinite(v))

function plainUsage(u: unknown): boolean {
  if (absent(u)) return true
  if (!isRecord(u) || !nullishNumber(u.prompt_tokens) || !nullishNumber(u.completion_tokens)) return false
  const d = u.prompt_tokens_details
  return absent(d) || (isRecord(d) && nullishNumber(d.cached_tokens))
}

/**
 * A whole answer of the common kind (text only: no tool calls, no reasoning) checked by hand, like
 * `parseChunk`; anything else goes through the `ChatCompletion` schema.
 */
export function parseCompletion(json: unknown): ChatCompletion | undefined {
  if (
    isRecord(json) &&
    (absent(json.id) || typeof json.id === 'string') &&
    plainUsage(json.usage) &&
    Array.isArray(json.choices) &&
    json.choices.every(
      (c: unknown) =>
        isRecord(c) &&
        (absent(c.index) || Number.isSafeInteger(c.index)) &&
        (absent(c.finish_reason) || typeof c.finish_reason === 'string') &&
        isRecord(c.message) &&
        absent(c.message.tool_calls) &&
        c.message.reasoning === undefined &&
        c.message.reasoning_content === undefined &&
        absent(c.message.refusal) &&
        (absent(c.message.content) || typeof c.message.content === 'string'),
    )
  ) {
    return json as ChatCompletion
  }
  const parsed = ChatCompletion.safeParse(json)
  return parsed.success ? parsed.data : undefined
}
