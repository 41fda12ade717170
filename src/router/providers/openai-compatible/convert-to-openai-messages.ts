/**
 * Anthropic `system` + `messages` -> OpenAI chat messages (conformance cases 15-18). `tool_result` blocks
 * become `role: tool` messages directly after the assistant message that made the calls, and whatever else the
 * user message carried follows them as a user message. `cache_control` and other Anthropic-only fields are
 * dropped by construction: only the fields OpenAI knows are copied.
 */
import type { ContentBlock, MessageParam, MessagesRequest } from '../../wire/anthropic-request.js'
import type { OpenAIContentPart, OpenAIMessage, OpenAIToolCall } from '../../wire/openai-schema.js'
import { toProviderToolId } from '../../wire/tool-call-id.js'

export interface MessageConversionOptions {
  /** Whether the provider takes `image_url` parts; otherwise images become a short text note. */
  images: boolean
  /** Send earlier thinking back as `reasoning_content` on assistant messages (DeepSeek rejects turns without it). */
  reasoningHistory: boolean
}

const NO_IMAGES = '[image omitted: this model does not accept images]'
const MISSING_RESULT = '[no result: the tool call was interrupted]'

type Block = ContentBlock

function imagePart(block: Extract<Block, { type: 'image' }>): OpenAIContentPart {
  const src = block.source
  const url = src.type === 'base64' ? `data:${src.media_type};base64,${src.data}` : src.url
  return { type: 'image_url', image_url: { url } }
}

function documentText(block: Extract<Block, { type: 'document' }>): string {
  const src = block.source
  if (typeof src === 'object' && src !== null && 'type' in src && src.type === 'text' && 'data' in src) {
    return typeof src.data === 'string' ? src.data : ''
  }
  return '[document omitted: this model does not accept documents]'
}

/** The system prompt (string or text blocks) as one string; empty when there is none. */
export function systemText(system: MessagesRequest['system']): string {
  if (system === undefined) return ''
  if (typeof system === 'string') return system
  return system.flatMap((b) => (b.type === 'text' && b.text !== '' ? [b.text] : [])).join('\n\n')
}

function userMessage(parts: OpenAIContentPart[]): OpenAIMessage | undefined {
  if (parts.length === 0) return undefined
  if (parts.every((p) => p.type === 'text')) {
    return { role: 'user', content: parts.map((p) => (p.type === 'text' ? p.text : '')).join('\n') }
  }
  return { role: 'user', content: parts }
}

function toolResultText(
  block: Extract<Block, { type: 'tool_result' }>,
  options: MessageConversionOptions,
  images: OpenAIContentPart[],
): string {
  const texts: string[] = []
  if (typeof block.content === 'string') texts.push(block.content)
  else {
    for (const part of block.content ?? []) {
      if (part.type === 'text' && 'text' in part && typeof part.text === 'string') texts.push(part.text)
      // ToolSearch's answer: the tools it loaded, whose definitions are in `tools` from the next request on.
      else if (part.type === 'tool_reference' && 'tool_name' in part && typeof part.tool_name === 'string')
        texts.push(`[tool loaded: ${part.tool_name}]`)
      else if (part.type === 'image' && 'source' in part) {
        if (options.images) {
          images.push(imagePart(part as Extract<Block, { type: 'image' }>))
          texts.push('[image: see the next message]')
        } else texts.push(NO_IMAGES)
      }
    }
  }
  const text = texts.filter((t) => t !== '').join('\n')
  if (block.is_error) return text === '' ? 'Error' : `Error: ${text}`
  return text === '' ? '(no output)' : text
}

class Converter {
  readonly out: OpenAIMessage[] = []
  /** Provider ids of the last assistant message's calls that have no `role: tool` answer yet. */
  private pending: string[] = []

  constructor(private readonly options: MessageConversionOptions) {}

  private closePending(): void {
    for (const id of this.pending) this.out.push({ role: 'tool', tool_call_id: id, content: MISSING_RESULT })
    this.pending = []
  }

  user(content: Block[]): void {
    const parts: OpenAIContentPart[] = []
    const images: OpenAIContentPart[] = []
    for (const block of content) {
      switch (block.type) {
        case 'tool_result': {
          const id = toProviderToolId(block.tool_use_id)
          const text = toolResultText(block, this.options, images)
          const at = this.pending.indexOf(id)
          if (at >= 0) {
            this.pending.splice(at, 1)
            this.out.push({ role: 'tool', tool_call_id: id, content: text })
          } else {
            parts.push({ type: 'text', text: `[result of tool call ${id}]\n${text}` })
          }
          break
        }
        case 'text':
          if (block.text !== '') parts.push({ type: 'text', text: block.text })
          break
        case 'image':
          parts.push(this.options.images ? imagePart(block) : { type: 'text', text: NO_IMAGES })
          break
        case 'document':
          parts.push({ type: 'text', text: documentText(block) })
          break
        default:
          break
      }
    }
    this.closePending()
    const msg = userMessage([...images, ...parts])
    if (msg) this.out.push(msg)
  }

  assistant(content: Block[]): void {
    this.closePending()
    const texts: string[] = []
    const reasoning: string[] = []
    const calls: OpenAIToolCall[] = []
    for (const block of content) {
      if (block.type === 'text' && block.text !== '') texts.push(block.text)
      else if (block.type === 'thinking' && block.thinking !== '') reasoning.push(block.thinking)
      else if (block.type === 'tool_use') {
        calls.push({
          id: toProviderToolId(block.id),
          type: 'function',
          function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
        })
      }
    }
    if (texts.length === 0 && calls.length === 0) return
    const msg: Extract<OpenAIMessage, { role: 'assistant' }> = {
      role: 'assistant',
      content: texts.length > 0 ? texts.join('\n') : calls.length > 0 ? null : '',
    }
    if (calls.length > 0) msg.tool_calls = calls
    if (this.options.reasoningHistory && reasoning.length > 0) msg.reasoning_content = reasoning.join('\n')
    this.out.push(msg)
    this.pending = calls.map((c) => c.id)
  }
}

/** The OpenAI `messages` array for an Anthropic request's `system` and `messages`. */
export function convertToOpenAIMessages(
  system: MessagesRequest['system'],
  messages: MessageParam[],
  options: MessageConversionOptions,
): OpenAIMessage[] {
  const converter = new Converter(options)
  // `system` entries inside `messages` join the leading system message: many OpenAI-compatible chat templates
  // (vLLM, Ollama) reject a system message anywhere but first, and one between tool calls and their results
  // would break the required order.
  const systemParts = [systemText(system)]
  for (const message of messages) {
    const blocks: Block[] =
      typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content
    if (message.role === 'system') {
      systemParts.push(blocks.map((b) => (b.type === 'text' ? b.text : '')).join('\n'))
      continue
    }
    if (message.role === 'user') converter.user(blocks)
    else converter.assistant(blocks)
  }
  const sys = systemParts.filter((part) => part !== '').join('\n\n')
  return sys === '' ? converter.out : [{ role: 'system', content: sys }, ...converter.out]
}
