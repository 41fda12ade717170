/**
 * An OpenAI chat-completions SSE body -> an Anthropic Messages SSE body: bytes are parsed into events, each
 * event's chunk is translated by `OpenAIStreamTranslator` (the conformance rules live there), and what one
 * upstream read completes is sent on as one chunk.
 */
import { AppError } from '../protocol/errors.js'
import type { AnthropicStreamEvent } from './anthropic-sse.js'
import { sseEventText } from './anthropic-sse.js'
import { parseChunk } from './openai-schema.js'
import { OpenAIStreamTranslator, type StreamTranslationOptions } from './openai-stream-translator.js'
import { type SseEvent, SseParser } from './sse-parser.js'

export {
  OpenAIStreamTranslator,
  type StreamSummary,
  type StreamTranslationOptions,
} from './openai-stream-translator.js'

const encoder = new TextEncoder()

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
  let sentAny = false

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
    const chunk = parseChunk(json)
    if (!chunk) throw new Error('a stream event has an unexpected shape')
    return translator.push(chunk)
  }

  const finish = (
    controller: ReadableStreamDefaultController<Uint8Array>,
    pending: string,
    events: AnthropicStreamEvent[],
  ) => {
    const failure = events.length === 1 && events[0]?.type === 'error' ? events[0] : undefined
    if (failure && !sentAny && pending === '') {
      // Nothing reached the client yet: fail the stream itself, so the router can still retry the request.
      const summary = translator.result
      if (summary) options.onEnd?.(summary)
      if (!upstreamDone) reader.cancel().catch(() => {})
      controller.error(new AppError('api_error', failure.error.message, { status: 502, retryable: true }))
      return
    }
    let out = pending
    for (const e of events) out += sseEventText(e)
    if (out !== '') controller.enqueue(encoder.encode(out))
    const summary = translator.result
    if (summary) options.onEnd?.(summary)
    controller.close()
    if (!upstreamDone) reader.cancel().catch(() => {})
  }

  // Everything one upstream read completes goes out as one chunk: one socket write instead of one per event.
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let out = ''
      try {
        for (;;) {
          for (let i = 0; i < queue.length; i++) {
            const events = translate(queue[i] as SseEvent)
            if (sawDone) {
              queue.length = 0
              return finish(controller, out, translator.end())
            }
            for (const e of events) out += sseEventText(e)
          }
          queue.length = 0
          if (out !== '') {
            controller.enqueue(encoder.encode(out))
            sentAny = true
            return
          }
          if (upstreamDone) {
            const complete = translator.finished
            return finish(
              controller,
              out,
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
        queue.length = 0
        finish(controller, out, translator.fail(`${options.describe} failed mid-stream: ${reason}`))
      }
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => {})
    },
  })
}
