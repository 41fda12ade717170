/**
 * Hand-written checks of the common request shapes, run before the zod schemas: when one says yes, the parsed
 * JSON already is what the schema's `parse` would return (same values; zod only copies the objects), so the
 * copy is skipped; on anything unusual (image blocks, unknown block types, odd numbers) it says no and the
 * schema decides, so invalid bodies get exactly the zod errors. Claude Code's bodies are hundreds of blocks,
 * and zod's copy of them was the largest per-request cost before routing.
 */
import type { MessagesRequest } from './anthropic-request.js'
import type { OpenAIChatBody } from './openai-chat-request.js'

type Rec = Record<string, unknown>

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

const optString = (v: unknown) => v === undefined || typeof v === 'string'
const optBool = (v: unknown) => v === undefined || typeof v === 'boolean'
const optNumber = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v))

function plainBlock(b: unknown): boolean {
  if (!isRecord(b)) return false
  switch (b.type) {
    case 'text':
      return typeof b.text === 'string'
    case 'tool_use':
      return typeof b.id === 'string' && typeof b.name === 'string' && 'input' in b
    case 'tool_result': {
      if (typeof b.tool_use_id !== 'string' || !optBool(b.is_error)) return false
      const c = b.content
      if (c === undefined || typeof c === 'string') return true
      if (!Array.isArray(c)) return false
      for (const item of c) if (!isRecord(item) || typeof item.type !== 'string') return false
      return true
    }
    case 'thinking':
      return typeof b.thinking === 'string' && optString(b.signature)
    case 'redacted_thinking':
      return true
    default:
      return false
  }
}

function plainContent(c: unknown): boolean {
  if (typeof c === 'string') return true
  if (!Array.isArray(c)) return false
  for (const b of c) if (!plainBlock(b)) return false
  return true
}

const ROLES = new Set(['user', 'assistant', 'system'])

function plainTools(tools: unknown): boolean {
  if (tools === undefined) return true
  if (!Array.isArray(tools)) return false
  for (const t of tools) {
    if (!isRecord(t) || typeof t.name !== 'string' || t.name.length === 0) return false
    if (!optString(t.description) || !optString(t.type)) return false
    if (t.input_schema !== undefined && !isRecord(t.input_schema)) return false
  }
  return true
}

function plainToolChoice(c: unknown): boolean {
  if (c === undefined) return true
  if (!isRecord(c)) return false
  if (c.type === 'none') return true
  if (!optBool(c.disable_parallel_tool_use)) return false
  return c.type === 'auto' || c.type === 'any' || (c.type === 'tool' && typeof c.name === 'string')
}

/** The body as a `MessagesRequest` when it has a plainly valid shape; `undefined` means "ask zod". */
export function fastMessagesRequest(json: unknown): MessagesRequest | undefined {
  if (!isRecord(json)) return undefined
  const { model, messages, system, max_tokens: maxTokens } = json
  if (typeof model !== 'string' || model.length === 0) return undefined
  if (typeof maxTokens !== 'number' || !Number.isSafeInteger(maxTokens) || maxTokens <= 0) return undefined
  if (!Array.isArray(messages)) return undefined
  for (const m of messages) {
    if (!isRecord(m) || !ROLES.has(m.role as string) || !plainContent(m.content)) return undefined
  }
  if (system !== undefined && !plainContent(system)) return undefined
  if (!optBool(json.stream) || !plainTools(json.tools) || !plainToolChoice(json.tool_choice)) return undefined
  const stops = json.stop_sequences
  if (stops !== undefined && !(Array.isArray(stops) && stops.every((s) => typeof s === 'string')))
    return undefined
  if (!optNumber(json.temperature) || !optNumber(json.top_p) || !optNumber(json.top_k)) return undefined
  const thinking = json.thinking
  if (
    thinking !== undefined &&
    !(isRecord(thinking) && typeof thinking.type === 'string' && optNumber(thinking.budget_tokens))
  )
    return undefined
  return json as MessagesRequest
}

const CHAT_ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function'])
const nullish = (v: unknown) => v === undefined || v === null
const nullishString = (v: unknown) => nullish(v) || typeof v === 'string'
const nullishNumber = (v: unknown) => nullish(v) || (typeof v === 'number' && Number.isFinite(v))
const nullishCount = (v: unknown) => nullish(v) || (Number.isSafeInteger(v) && (v as number) > 0)

function plainChatContent(c: unknown): boolean {
  if (nullishString(c)) return true
  if (!Array.isArray(c)) return false
  for (const p of c) {
    if (!isRecord(p) || typeof p.type !== 'string' || !optString(p.text)) return false
    const image = p.image_url
    if (!optString(image) && !(isRecord(image) && typeof image.url === 'string')) return false
  }
  return true
}

function plainToolCalls(calls: unknown): boolean {
  if (nullish(calls)) return true
  if (!Array.isArray(calls)) return false
  for (const c of calls) {
    if (!isRecord(c) || !optString(c.id) || !optString(c.type)) return false
    const f = c.function
    if (!isRecord(f) || typeof f.name !== 'string' || !nullishString(f.arguments)) return false
  }
  return true
}

/**
 * `fastMessagesRequest` for a chat-completions body without tools (a body with tools is re-serialized from
 * the parsed value, so it keeps zod's copy and its key order).
 */
export function fastChatBody(json: unknown): OpenAIChatBody | undefined {
  if (!isRecord(json)) return undefined
  const { model, messages } = json
  if (typeof model !== 'string' || model.length === 0) return undefined
  if (!Array.isArray(messages) || messages.length === 0) return undefined
  for (const m of messages) {
    if (!isRecord(m) || !CHAT_ROLES.has(m.role as string) || !plainChatContent(m.content)) return undefined
    if (!plainToolCalls(m.tool_calls) || !optString(m.tool_call_id) || !optString(m.name)) return undefined
    if (!nullishString(m.reasoning_content)) return undefined
  }
  if (!nullish(json.tools) || !nullish(json.tool_choice)) return undefined
  const so = json.stream_options
  if (!nullish(so) && !(isRecord(so) && optBool(so.include_usage))) return undefined
  if (!(nullish(json.stream) || typeof json.stream === 'boolean')) return undefined
  if (!(nullish(json.parallel_tool_calls) || typeof json.parallel_tool_calls === 'boolean')) return undefined
  if (!nullishCount(json.max_tokens) || !nullishCount(json.max_completion_tokens)) return undefined
  const stop = json.stop
  if (!nullishString(stop) && !(Array.isArray(stop) && stop.every((s) => typeof s === 'string')))
    return undefined
  if (!nullishNumber(json.temperature) || !nullishNumber(json.top_p) || !optString(json.user))
    return undefined
  return json as OpenAIChatBody
}
