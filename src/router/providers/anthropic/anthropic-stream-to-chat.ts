/**
 * An Anthropic Messages SSE stream -> an OpenAI chat-completions SSE stream (`data: {chunk}` … `data: [DONE]`),
 * for `POST /v1/chat/completions` on an `anthropic/*` model. Tool calls keep their order as `index`; a usage
 * chunk is sent when the client asked for `stream_options.include_usage`; an Anthropic `error` event becomes
 * an OpenAI error chunk. Blocks of tools Anthropic runs itself (`server_tool_use` for web search and code
 * execution, `mcp_tool_use`, and their `*_tool_result`s) are left out: their results already went into the
 * text that follows, and OpenAI's format has no place for them (a client would take them for its own calls).
 */
import { z } from 'zod'
import type { TokenCounts } from '../../usage/price-table.js'
import { SseParser } from '../../wire/sse-parser.js'
import type { ChunkReader } from '../upstream.js'
import { AnthropicUsageIn, chatUsage, finishReason } from './anthropic-response-to-chat.js'

const StreamEvent = z.looseObject({
  type: z.string(),
  index: z.number().int().optional(),
  message: z.looseObject({ id: z.string().optional(), usage: AnthropicUsageIn.nullish() }).optional(),
  content_block: z
    .looseObject({ type: z.string(), id: z.string().optional(), name: z.string().optional() })
    .optional(),
  delta: z
    .looseObject({
      type: z.string().optional(),
      text: z.string().optional(),
      thinking: z.string().optional(),
      partial_json: z.string().optional(),
      stop_reason: z.string().nullish(),
    })
    .optional(),
  usage: AnthropicUsageIn.nullish(),
  error: z.looseObject({ type: z.string().optional(), message: z.string().optional() }).optional(),
})

export interface ChatStreamOptions {
  requestedModel: string
  includeUsage: boolean
  onUsage?: (tokens: TokenCounts) => void
  onError?: (message: string) => void
}

const encoder = new TextEncoder()

export function anthropicStreamToChat(reader: ChunkReader, options: ChatStreamOptions): ChunkReader {
  const parser = new SseParser()
  let id = `chatcmpl-${crypto.randomUUID().replace(/-/g, '')}`
  const created = Math.floor(Date.now() / 1000)
  let usage: z.infer<typeof AnthropicUsageIn> = {}
  let toolIndex = -1
  /** Anthropic block index -> OpenAI tool-call index, for `tool_use` blocks only. */
  const toolOfBlock = new Map<number, number>()
  let stopped = false
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    `data: ${JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created,
      model: options.requestedModel,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    })}\n\n`

  const translate = (data: string): string => {
    let json: unknown
    try {
      json = JSON.parse(data)
    } catch {
      return ''
    }
    const parsed = StreamEvent.safeParse(json)
    if (!parsed.success) return ''
    const e = parsed.data
    switch (e.type) {
      case 'message_start':
        if (e.message?.id) id = `chatcmpl-${e.message.id}`
        usage = { ...usage, ...(e.message?.usage ?? {}) }
        return chunk({ role: 'assistant', content: '' })
      case 'content_block_start':
        if (e.content_block?.type !== 'tool_use') return ''
        toolIndex++
        if (e.index !== undefined) toolOfBlock.set(e.index, toolIndex)
        return chunk({
          tool_calls: [
            {
              index: toolIndex,
              id: e.content_block.id,
              type: 'function',
              function: { name: e.content_block.name, arguments: '' },
            },
          ],
        })
      case 'content_block_delta':
        if (e.delta?.type === 'text_delta' && e.delta.text) return chunk({ content: e.delta.text })
        if (e.delta?.type === 'thinking_delta' && e.delta.thinking)
          return chunk({ reasoning_content: e.delta.thinking })
        if (e.delta?.type === 'input_json_delta' && e.delta.partial_json) {
          const index = e.index === undefined ? toolIndex : toolOfBlock.get(e.index)
          if (index === undefined || index < 0) return ''
          return chunk({ tool_calls: [{ index, function: { arguments: e.delta.partial_json } }] })
        }
        return ''
      case 'message_delta': {
        usage = { ...usage, ...(e.usage ?? {}) }
        return chunk({}, finishReason(e.delta?.stop_reason))
      }
      case 'message_stop': {
        stopped = true
        const u = chatUsage(usage)
        options.onUsage?.({
          inputTokens: usage.input_tokens ?? 0,
          outputTokens: usage.output_tokens ?? 0,
          cacheReadTokens: usage.cache_read_input_tokens ?? 0,
        })
        const usageChunk = options.includeUsage
          ? `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: options.requestedModel, choices: [], usage: u })}\n\n`
          : ''
        return `${usageChunk}data: [DONE]\n\n`
      }
      case 'error': {
        stopped = true
        const message = e.error?.message ?? 'upstream error'
        options.onError?.(message)
        return `data: ${JSON.stringify({ error: { message, type: e.error?.type ?? 'api_error' } })}\n\n`
      }
      default:
        return ''
    }
  }

  let closed = false
  return {
    async read() {
      while (!closed) {
        let out = ''
        let done = false
        try {
          const read = await reader.read()
          done = read.done
          const events = read.done ? parser.end() : parser.push(read.value)
          for (const ev of events) out += translate(ev.data)
        } catch (err) {
          const message = `the upstream failed mid-stream: ${err instanceof Error ? err.message : String(err)}`
          options.onError?.(message)
          out += `data: ${JSON.stringify({ error: { message, type: 'api_error' } })}\n\n`
          stopped = true
          done = true
        }
        if (done && !stopped) {
          const message = 'the upstream ended the stream before the response was complete'
          options.onError?.(message)
          out += `data: ${JSON.stringify({ error: { message, type: 'api_error' } })}\n\n`
        }
        closed = done
        if (out !== '') return { done: false, value: encoder.encode(out) }
      }
      return { done: true, value: undefined }
    },
    cancel(reason) {
      closed = true
      return reader.cancel(reason)
    },
  }
}
