/**
 * An OpenAI chat-completions SSE body -> an Anthropic Messages SSE body: bytes are parsed into events, each
 * event's chunk is translated by `OpenAIStreamTranslator` (the conformance rules live there), and what one
 * upstream read completes is sent on as one chunk.
 */
import { AppError } from '../protocol/errors.js'
import type { AnthropicStreamEvent } from './anthropic-sse.js'
import { sseEventText } from './anthropic-sse.js'
import { type ChunkSource, readerSource, sourceStream } from './chunk-source.js'
import { ChunkTemplate, isStringifyLiteral } from './chunk-template.js'
import { parseChunk } from './openai-schema.js'
import { OpenAIStreamTranslator, type StreamTranslationOptions } from './openai-stream-translator.js'
import { type SseEvent, SseParser } from './sse-parser.js'
import { TextDeltaLane } from './text-delta-lane.js'

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
  return sourceStream(openAISourceToAnthropic(readerSource(upstream), options))
}

/** `openAIStreamToAnthropic` over a `ChunkSource`, without web streams. */
export function openAISourceToAnthropic(
  upstream: ChunkSource,
  options: StreamTranslationOptions & { describe: string },
): ChunkSource {
  const translator = new OpenAIStreamTranslator(options)
  const parser = new SseParser()
  const template = new ChunkTemplate()
  const queue: SseEvent[] = []
  let lane: TextDeltaLane | undefined
  /** Whether the parser holds nothing (what it was given ended with a blank line), so the lane may read. */
  let parserClean = true
  /** Output already in bytes (from the lane, and the text before it), ahead of the text in `out`. */
  const parts: Buffer[] = []
  let upstreamDone = false
  let sawDone = false
  let sentAny = false
  let closed = false

  /** `literal`: the event's content literal when it has the template's shape (`template.literalOf`). */
  const translate = (sse: SseEvent, literal: string | undefined): AnthropicStreamEvent[] => {
    const data = sse.data.trim()
    if (data === '[DONE]') {
      sawDone = true
      return []
    }
    if (data === '') return []
    const known = literal === undefined ? template.match(data) : template.chunkOf(literal)
    if (known) return translator.push(known)
    let json: unknown
    try {
      json = JSON.parse(data)
    } catch {
      throw new Error('a stream event is not JSON')
    }
    const chunk = parseChunk(json)
    if (!chunk) throw new Error('a stream event has an unexpected shape')
    if (!template.learned) template.learn(data, chunk)
    return translator.push(chunk)
  }

  /** The last chunk (or none), after which the source is closed. */
  const finish = (pending: string, events: AnthropicStreamEvent[]): Uint8Array | undefined => {
    closed = true
    const failure = events.length === 1 && events[0]?.type === 'error' ? events[0] : undefined
    if (failure && !sentAny && pending === '' && parts.length === 0) {
      // Nothing reached the client yet: fail the stream itself, so the router can still retry the request.
      const summary = translator.result
      if (summary) options.onEnd?.(summary)
      if (!upstreamDone) upstream.cancel().catch(() => {})
      throw new AppError('api_error', failure.error.message, { status: 502, retryable: true })
    }
    let out = pending
    for (const e of events) out += sseEventText(e)
    const summary = translator.result
    if (summary) options.onEnd?.(summary)
    if (!upstreamDone) upstream.cancel().catch(() => {})
    return output(out)
  }

  /** What one read sends: the bytes gathered in `parts`, then `out`; `undefined` when nothing. */
  const output = (out: string): Uint8Array | undefined => {
    if (parts.length === 0) return out === '' ? undefined : encoder.encode(out)
    if (out !== '') parts.push(Buffer.from(out))
    const bytes = Buffer.concat(parts)
    parts.length = 0
    return bytes
  }

  /** Takes one upstream read: leading text deltas through the lane when it can, the rest through the parser. */
  const feed = (value: Uint8Array, out: string): string => {
    let at = 0
    if (parserClean && lane) {
      const index = translator.openTextIndex()
      if (index !== undefined) {
        const taken: Buffer[] = []
        at = lane.take(Buffer.from(value.buffer, value.byteOffset, value.byteLength), index, taken)
        if (at > 0) {
          // The text gathered before these events goes out ahead of them.
          if (out !== '') parts.push(Buffer.from(out))
          out = ''
          for (const piece of taken) parts.push(piece)
        }
      }
    }
    if (at < value.length) {
      const rest = at === 0 ? value : value.subarray(at)
      parser.push(rest, queue)
      parserClean = rest.length >= 2 && rest[rest.length - 1] === 10 && rest[rest.length - 2] === 10
    }
    return out
  }

  // Everything one upstream read completes goes out as one chunk: one socket write instead of one per event.
  const read = async (): Promise<Uint8Array | undefined> => {
    if (closed) return undefined
    let out = ''
    try {
      for (;;) {
        for (let i = 0; i < queue.length; i++) {
          const sse = queue[i] as SseEvent
          // The common case, a text delta into the open text block: its content goes out as it came.
          const literal = template.literalOf(sse.data)
          const fast =
            literal !== undefined && isStringifyLiteral(literal)
              ? translator.textDeltaEvent(literal)
              : undefined
          if (fast !== undefined) {
            out += fast
            continue
          }
          const events = translate(sse, literal)
          if (sawDone) {
            queue.length = 0
            return finish(out, translator.end())
          }
          for (const e of events) out += sseEventText(e)
        }
        queue.length = 0
        // Chunks the upstream already delivered join this one: one write for what one socket read brought.
        if (!lane) {
          const shape = template.shape
          if (shape) lane = new TextDeltaLane(shape.prefix, shape.suffix)
        }
        const ready = upstream.readNow?.()
        if (ready !== undefined) {
          out = feed(ready, out)
          continue
        }
        if (out !== '' || parts.length > 0) {
          sentAny = true
          return output(out)
        }
        if (upstreamDone) {
          const complete = translator.finished
          return finish(
            out,
            complete
              ? translator.end()
              : translator.fail(`${options.describe} ended the stream before the response was complete`),
          )
        }
        const value = await upstream.read()
        if (value === undefined) {
          upstreamDone = true
          parser.end(queue)
        } else out = feed(value, out)
      }
    } catch (err) {
      if (closed) throw err
      const reason = err instanceof Error ? err.message : String(err)
      queue.length = 0
      return finish(out, translator.fail(`${options.describe} failed mid-stream: ${reason}`))
    }
  }
  return {
    read,
    async cancel(reason) {
      closed = true
      await upstream.cancel(reason).catch(() => {})
    },
  }
}
