/**
 * Local token counting for `POST /v1/messages/count_tokens` on non-Anthropic routes (conformance case 23):
 * a real BPE tokenizer (o200k_base, via `gpt-tokenizer`) over every block type — system, text, thinking,
 * tool_use (name and input), tool_result (text and images), images, documents and tool definitions — plus the
 * per-message framing. Images are priced as Anthropic does (width x height / 750, at most ~1600) when their
 * size can be read from a PNG, GIF or JPEG header, else as a full-size image.
 */
import type { ContentBlock, MessagesRequest } from '../wire/anthropic-request.js'
import type { OpenAIChatBody } from '../wire/openai-chat-request.js'

const NO_SPECIAL = { disallowedSpecial: new Set<string>() }

type BpeCount = (text: string, options: typeof NO_SPECIAL) => number
/** The tokenizer's tables are large: loaded on the first count, not when the router starts. */
let bpeCount: BpeCount | undefined
async function tokenizer(): Promise<BpeCount> {
  bpeCount ??= (await import('gpt-tokenizer/encoding/o200k_base')).countTokens
  return bpeCount
}
/** Role markers and separators around each message. */
const PER_MESSAGE = 4
/** Tool-use framing Anthropic adds when tools are present. */
const TOOLS_PREAMBLE = 300
const PER_TOOL = 10
const MAX_IMAGE_TOKENS = 1600
/** A page of a PDF, when the page count cannot be read. */
const DOCUMENT_TOKENS = 1500

function text(value: string): number {
  return value === '' || !bpeCount ? 0 : bpeCount(value, NO_SPECIAL)
}

function json(value: unknown): number {
  return text(JSON.stringify(value ?? {}))
}

function base64Bytes(data: string, count: number): Uint8Array {
  try {
    const binary = atob(data.slice(0, Math.ceil((count * 4) / 3) + 4).replace(/=+$/, ''))
    return Uint8Array.from(binary.slice(0, count), (c) => c.charCodeAt(0))
  } catch {
    return new Uint8Array()
  }
}

/** Width and height from the first bytes of a PNG, GIF or JPEG, when they say. */
export function imageSize(data: string): { width: number; height: number } | undefined {
  const b = base64Bytes(data, 64 * 1024)
  if (b.length > 24 && b[0] === 0x89 && b[1] === 0x50) {
    const v = new DataView(b.buffer)
    return { width: v.getUint32(16), height: v.getUint32(20) }
  }
  if (b.length > 10 && b[0] === 0x47 && b[1] === 0x49) {
    const v = new DataView(b.buffer)
    return { width: v.getUint16(6, true), height: v.getUint16(8, true) }
  }
  if (b.length > 4 && b[0] === 0xff && b[1] === 0xd8) {
    const v = new DataView(b.buffer)
    let i = 2
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return undefined
      const marker = b[i + 1] as number
      const length = v.getUint16(i + 2)
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: v.getUint16(i + 7), height: v.getUint16(i + 5) }
      }
      i += 2 + length
    }
  }
  return undefined
}

function imageTokens(source: unknown): number {
  const s = source as { type?: string; data?: unknown }
  if (s?.type === 'base64' && typeof s.data === 'string') {
    const size = imageSize(s.data)
    if (size && size.width > 0 && size.height > 0) {
      return Math.min(MAX_IMAGE_TOKENS, Math.ceil((size.width * size.height) / 750))
    }
  }
  return MAX_IMAGE_TOKENS
}

function blockTokens(block: ContentBlock): number {
  switch (block.type) {
    case 'text':
      return text(block.text)
    case 'thinking':
      return text(block.thinking)
    case 'image':
      return imageTokens(block.source)
    case 'tool_use':
      return text(block.name) + json(block.input) + 3
    case 'tool_result': {
      let n = 3
      if (typeof block.content === 'string') n += text(block.content)
      else
        for (const part of block.content ?? []) {
          if (part.type === 'text' && typeof part.text === 'string') n += text(part.text)
          else if (part.type === 'image') n += imageTokens(part.source)
          else n += json(part)
        }
      return n
    }
    case 'document': {
      const source = block.source as { type?: string; data?: unknown }
      if (source?.type === 'text' && typeof source.data === 'string') return text(source.data)
      return DOCUMENT_TOKENS
    }
    case 'redacted_thinking':
      return json(block)
    default:
      return 0
  }
}

function contentTokens(content: string | ContentBlock[]): number {
  if (typeof content === 'string') return text(content)
  let n = 0
  for (const block of content) n += blockTokens(block)
  return n
}

/** Input tokens of a Messages request, as `count_tokens` answers them. */
export async function countRequestTokens(
  request: Pick<MessagesRequest, 'system' | 'messages' | 'tools'>,
): Promise<number> {
  await tokenizer()
  let n = 0
  if (request.system !== undefined) n += contentTokens(request.system) + PER_MESSAGE
  for (const m of request.messages) n += contentTokens(m.content) + PER_MESSAGE
  const tools = request.tools ?? []
  if (tools.length > 0) n += TOOLS_PREAMBLE
  for (const tool of tools) {
    n += PER_TOOL + text(tool.name) + text(tool.description ?? '') + json(tool.input_schema ?? {})
  }
  return n
}

/**
 * Input tokens of an OpenAI chat-completions request, counted the same way (for `enable_pre_call_checks`):
 * message text, tool calls and tool definitions; images as a full-size image each.
 */
export async function countChatTokens(request: OpenAIChatBody): Promise<number> {
  await tokenizer()
  let n = 0
  for (const m of request.messages) {
    n += PER_MESSAGE
    if (typeof m.content === 'string') n += text(m.content)
    else for (const part of m.content ?? []) n += part.image_url ? MAX_IMAGE_TOKENS : text(part.text ?? '')
    for (const call of m.tool_calls ?? []) n += text(call.function.name) + text(call.function.arguments ?? '')
  }
  const tools = request.tools ?? []
  if (tools.length > 0) n += TOOLS_PREAMBLE
  for (const tool of tools) n += PER_TOOL + json(tool.function)
  return n
}
