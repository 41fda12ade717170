/**
 * An OpenAI chat-completions SSE body -> an Anthropic Messages SSE body: bytes are parsed into events, each
 * event's chunk is translated by `OpenAIStreamTranslator` (the conformance rules live there), and what one
 * upstream read completes is sent on as one chunk. Reader in, reader out: dispatch builds the one web stream
 * the client reads.
 */
import { AppError } from '../../../protocol/errors.js'
import { type AnthropicStreamEvent, sseEventText } from '../../wire/anthropic-sse.js'
import { parseChunk } from '../../wire/openai-schema.js'
import { type SseEvent, SseParser } from '../../wire/sse-parser.js'
import type { ChunkReader } from '../upstream.js'
import { OpenAIStreamTranslator, type StreamTranslationOptions } from './openai-stream-translator.js'

export {
  OpenAIStreamTranslator,
  type StreamSummary,
  type StreamTranslationOptions,
} from './openai-stream-translator.js'

const encoder = new TextEncoder()

/** Reads `reader` to its end, dropping what it reads; the upstream limits bound how long and how much. */
function discardRest(reader: ChunkReader): void {
  const next = (): Promise<void> => reader.read().then((r) => (r.done ? undefined : next()))
  next().catch(() => {})
}

/**
 * An upstream OpenAI SSE body through the translator, read upstream only as fast as the result is read.
 * `describe` names the upstream in error messages (provider and base URL, never a key). Cancelling the
 * result (the client went away) cancels the upstream read.
 */
export function openAIStreamToAnthropic(
  reader: ChunkReader,
  options: StreamTranslationOptions & { describe: string },
): ChunkReader {
  const translator = new OpenAIStreamTranslator(options)
  const parser = new SseParser()
  let closed = false
  let upstreamDone = false
  let sawDone = false
  let sentAny = false
  /** Output not sent yet. */
  let pending = ''

  /** Translates the parsed events onto `pending`, up to `[DONE]` (what follows it is dropped). */
  const translate = (events: SseEvent[]): void => {
    for (const sse of events) {
      const data = sse.data.trim()
      if (data === '[DONE]') {
        sawDone = true
        return
      }
      if (data === '') continue
      let json: unknown
      try {
        json = JSON.parse(data)
      } catch {
        throw new Error('a stream event is not JSON')
      }
      const chunk = parseChunk(json)
      if (!chunk) throw new Error('a stream event has an unexpected shape')
      for (const event of translator.push(chunk)) pending += sseEventText(event)
    }
  }

  /** The last events onto `pending`; the stream closes after them. */
  const finish = (events: AnthropicStreamEvent[]): void => {
    const summary = translator.result
    if (summary) options.onEnd?.(summary)
    if (!upstreamDone) {
      // What follows `[DONE]` is read and dropped (it is normally just the end of the body), so the
      // upstream connection can be used again; after a failure the upstream is cancelled.
      if (sawDone) discardRest(reader)
      else reader.cancel().catch(() => {})
    }
    const failure = events.length === 1 && events[0]?.type === 'error' ? events[0] : undefined
    // Nothing reached the client yet: fail the stream itself, so the router can still retry the request.
    if (failure && !sentAny && pending === '')
      throw new AppError('api_error', failure.error.message, { status: 502, retryable: true })
    for (const e of events) pending += sseEventText(e)
  }

  /** Fills `pending` with what one upstream read completes; true once the message is complete. */
  const step = async (): Promise<boolean> => {
    if (sawDone) {
      finish(translator.end())
      return true
    }
    if (upstreamDone) {
      finish(
        translator.finished
          ? translator.end()
          : translator.fail(`${options.describe} ended the stream before the response was complete`),
      )
      return true
    }
    try {
      const { done, value } = await reader.read()
      if (done) upstreamDone = true
      translate(done ? parser.end() : parser.push(value))
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err)
      finish(translator.fail(`${options.describe} failed mid-stream: ${reason}`))
      return true
    }
    return false
  }

  return {
    async read() {
      let last = closed
      while (!last && pending === '') last = await step()
      closed = last
      if (pending === '') return { done: true, value: undefined }
      sentAny = true
      const value = encoder.encode(pending)
      pending = ''
      return { done: false, value }
    },
    cancel(reason) {
      closed = true
      pending = ''
      return reader.cancel(reason)
    },
  }
}
