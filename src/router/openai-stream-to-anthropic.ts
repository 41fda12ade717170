/**
 * An OpenAI chat-completions SSE stream -> the Anthropic Messages SSE stream (conformance cases 1-14).
 *
 * Text and thinking stream as they arrive; tool calls are collected and sent as whole blocks when the
 * response ends, because providers interleave calls, resend cumulative arguments and split them across
 * choices, while Anthropic allows one open block at a time and no take-backs. Block indexes start at 0.
 */
import type { AnthropicStreamEvent, AnthropicUsage } from './anthropic-sse.js'
import { encodeSseEvent } from './anthropic-sse.js'
import { type AnthropicStopReason, mapStopReason } from './map-stop-reason.js'
import { mapUsage } from './map-usage.js'
import { ChatCompletionChunk, type OpenAIUsage } from './openai-schema.js'
import { type SseEvent, SseParser } from './sse-parser.js'
import { ToolCallAccumulator } from './tool-call-accumulator.js'

export interface StreamSummary {
  messageId: string
  stopReason: AnthropicStopReason
  usage: AnthropicUsage
  toolCalls: number
  /** Tool calls whose arguments were not a JSON object (sent as `{}`). */
  invalidToolArguments: string[]
  /** Set when the stream ended with an `error` event. */
  error?: string
}

export interface StreamTranslationOptions {
  /** The model name the client asked for; echoed in `message_start` (Claude Code sizes its context by it). */
  requestedModel: string
  /** Called once when the stream ends, for usage accounting and logs. */
  onEnd?: (summary: StreamSummary) => void
}

type OpenBlock = { kind: 'text' | 'thinking'; index: number } | undefined

/** The stateful part: OpenAI chunks in, Anthropic events out. */
export class OpenAIStreamTranslator {
  private started = false
  private messageId = ''
  private nextIndex = 0
  private open: OpenBlock
  private readonly tools = new ToolCallAccumulator()
  private readonly finishReasons: string[] = []
  private usage: OpenAIUsage | undefined
  private summary: StreamSummary | undefined

  constructor(private readonly options: StreamTranslationOptions) {}

  get finished(): boolean {
    return this.finishReasons.length > 0
  }

  private start(chunk: ChatCompletionChunk | undefined, out: AnthropicStreamEvent[]): void {
    if (this.started) return
    this.started = true
    const upstreamId = chunk?.id ? chunk.id.replace(/[^a-zA-Z0-9_-]/g, '_') : ''
    this.messageId = `msg_${upstreamId || crypto.randomUUID().replace(/-/g, '')}`
    out.push({
      type: 'message_start',
      message: {
        id: this.messageId,
        type: 'message',
        role: 'assistant',
        model: this.options.requestedModel,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: mapUsage(chunk?.usage),
      },
    })
  }

  private closeOpen(out: AnthropicStreamEvent[]): void {
    if (!this.open) return
    out.push({ type: 'content_block_stop', index: this.open.index })
    this.open = undefined
  }

  private delta(kind: 'text' | 'thinking', text: string, out: AnthropicStreamEvent[]): void {
    // Claude Code replays empty text blocks and every later request fails, so never open one for nothing.
    if (text === '') return
    if (this.open?.kind !== kind) {
      this.closeOpen(out)
      const index = this.nextIndex++
      this.open = { kind, index }
      out.push({
        type: 'content_block_start',
        index,
        content_block:
          kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' },
      })
    }
    const index = this.open.index
    out.push({
      type: 'content_block_delta',
      index,
      delta: kind === 'text' ? { type: 'text_delta', text } : { type: 'thinking_delta', thinking: text },
    })
  }

  /** Translates one parsed chunk. Throws when the chunk is an upstream error object. */
  push(chunk: ChatCompletionChunk): AnthropicStreamEvent[] {
    const out: AnthropicStreamEvent[] = []
    if (chunk.error) {
      throw new Error(
        typeof chunk.error === 'string' ? chunk.error : (chunk.error.message ?? 'upstream error'),
      )
    }
    this.start(chunk, out)
    if (chunk.usage) this.usage = chunk.usage
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta
      if (delta) {
        const reasoning = delta.reasoning_content ?? delta.reasoning
        if (reasoning) this.delta('thinking', reasoning, out)
        if (delta.content) this.delta('text', delta.content, out)
        for (const call of delta.tool_calls ?? []) this.tools.add(call, choice.index ?? 0)
      }
      if (choice.finish_reason) this.finishReasons.push(choice.finish_reason)
    }
    return out
  }

  private pickFinishReason(): string | undefined {
    for (const preferred of ['length', 'content_filter', 'tool_calls']) {
      if (this.finishReasons.includes(preferred)) return preferred
    }
    return this.finishReasons[0]
  }

  /** Closes the message: open block, collected tool calls, `message_delta`, `message_stop`. */
  end(): AnthropicStreamEvent[] {
    const out: AnthropicStreamEvent[] = []
    this.start(undefined, out)
    this.closeOpen(out)
    const calls = this.tools.finish(this.messageId.slice(4))
    for (const call of calls) {
      const index = this.nextIndex++
      out.push({
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
      })
      out.push({
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: call.inputJson },
      })
      out.push({ type: 'content_block_stop', index })
    }
    const stopReason = mapStopReason(this.pickFinishReason(), calls.length > 0)
    const usage = mapUsage(this.usage)
    out.push({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage })
    out.push({ type: 'message_stop' })
    this.summary = {
      messageId: this.messageId,
      stopReason,
      usage,
      toolCalls: calls.length,
      invalidToolArguments: calls.filter((c) => c.invalidArguments).map((c) => c.name),
    }
    return out
  }

  /** An `error` event for a failure after the response started. */
  fail(message: string): AnthropicStreamEvent[] {
    this.summary = {
      messageId: this.messageId,
      stopReason: 'end_turn',
      usage: mapUsage(this.usage),
      toolCalls: 0,
      invalidToolArguments: [],
      error: message,
    }
    return [{ type: 'error', error: { type: 'api_error', message } }]
  }

  get result(): StreamSummary | undefined {
    return this.summary
  }
}

/**
 * Pipes an upstream OpenAI SSE body through the translator, pulling upstream only as fast as the client reads.
 * `describe` names the upstream in error messages (provider and base URL, never a key). Cancelling the
 * result (the client went away) cancels the upstream read.
 */
export function openAIStreamToAnthropic(
  upstream: ReadableStream<Uint8Array>,
  options: StreamTranslationOptions & { describe: string },
): ReadableStream<Uint8Array> {
  const translator = new OpenAIStreamTranslator(options)
  const reader = upstream.getReader()
  const parser = new SseParser()
  const queue: SseEvent[] = []
  let upstreamDone = false
  let sawDone = false

  const translate = (sse: SseEvent): AnthropicStreamEvent[] => {
    const data = sse.data.trim()
    if (data === '[DONE]') {
      sawDone = true
      return []
    }
    if (data === '') return []
    let json: unknown
    try {
      json = JSON.parse(data)
    } catch {
      throw new Error('a stream event is not JSON')
    }
    const chunk = ChatCompletionChunk.safeParse(json)
    if (!chunk.success) throw new Error('a stream event has an unexpected shape')
    return translator.push(chunk.data)
  }

  const finish = (
    controller: ReadableStreamDefaultController<Uint8Array>,
    events: AnthropicStreamEvent[],
  ) => {
    for (const e of events) controller.enqueue(encodeSseEvent(e))
    const summary = translator.result
    if (summary) options.onEnd?.(summary)
    controller.close()
    if (!upstreamDone) reader.cancel().catch(() => {})
  }

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const sse = queue.shift()
          if (sse) {
            const events = translate(sse)
            if (sawDone) return finish(controller, translator.end())
            if (events.length === 0) continue
            for (const e of events) controller.enqueue(encodeSseEvent(e))
            return
          }
          if (upstreamDone) {
            const complete = translator.finished
            return finish(
              controller,
              complete
                ? translator.end()
                : translator.fail(`${options.describe} ended the stream before the response was complete`),
            )
          }
          const { done, value } = await reader.read()
          if (done) {
            upstreamDone = true
            queue.push(...parser.end())
          } else queue.push(...parser.push(value))
        }
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err)
        finish(controller, translator.fail(`${options.describe} failed mid-stream: ${reason}`))
      }
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => {})
    },
  })
}
