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
const EVENT_END = Buffer.from('\n\n')

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
  const argsTemplate = new ChunkTemplate('arguments')
  const queue: SseEvent[] = []
  let lane: TextDeltaLane | undefined
  /** Whether the parser holds nothing (what it was given ended with a blank line), so the lane may read. */
  let parserClean = true
  /** Output already in bytes (from the lane, and the text before it), ahead of the text in `pending`. */
  const parts: Buffer[] = []
  /** Output as text, not yet sent. */
  let pending = ''
  let upstreamDone = false
  let sawDone = false
  let sentAny = false
  let closed = false

  /**
   * `literal`: the event's content literal when it has the template's shape (`template.literalOf`);
   * `argsShape`: whether it was found to have the argument template's shape.
   */
  const translate = (
    sse: SseEvent,
    literal: string | undefined,
    argsShape: boolean,
  ): AnthropicStreamEvent[] => {
    const data = sse.data.trim()
    if (data === '[DONE]') {
      sawDone = true
      return []
    }
    if (data === '') return []
    // An event without a literal was already found not to have the learned shape (or none is learned yet).
    const known = literal === undefined ? undefined : template.chunkOf(literal)
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
    // Each tool call's argument chunks have their own shape (their index): learned again when one fails it.
    if (!argsShape) argsTemplate.learn(data, chunk)
    return translator.push(chunk)
  }

  /** The last chunk (or none), after which the source is closed. */
  const finish = (events: AnthropicStreamEvent[]): Uint8Array | undefined => {
    closed = true
    const failure = events.length === 1 && events[0]?.type === 'error' ? events[0] : undefined
    if (failure && !sentAny && pending === '' && parts.length === 0) {
      // Nothing reached the client yet: fail the stream itself, so the router can still retry the request.
      const summary = translator.result
      if (summary) options.onEnd?.(summary)
      if (!upstreamDone) upstream.cancel().catch(() => {})
      throw new AppError('api_error', failure.error.message, { status: 502, retryable: true })
    }
    for (const e of events) pending += sseEventText(e)
    const summary = translator.result
    if (summary) options.onEnd?.(summary)
    if (!upstreamDone) upstream.cancel().catch(() => {})
    return output()
  }

  /** What one read sends: the bytes gathered in `parts`, then `pending`; `undefined` when nothing. */
  const output = (): Uint8Array | undefined => {
    const out = pending
    pending = ''
    if (parts.length === 0) return out === '' ? undefined : encoder.encode(out)
    if (out !== '') parts.push(Buffer.from(out))
    const bytes = Buffer.concat(parts)
    parts.length = 0
    return bytes
  }

  /** Translates the parsed events onto `pending`, up to `[DONE]` (what follows it is dropped). */
  const drain = (): void => {
    for (let i = 0; i < queue.length && !sawDone; i++) {
      const sse = queue[i] as SseEvent
      let argsShape = false
      // Outside a text block (while a tool call streams, above all), a piece of the open call's arguments.
      if (argsTemplate.learned && translator.openTextIndex() === undefined) {
        const args = argsTemplate.literalOf(sse.data)
        argsShape = args !== undefined
        const event =
          args !== undefined && isStringifyLiteral(args)
            ? translator.toolArgumentsEvent(argsTemplate.choiceIndex, argsTemplate.toolIndex, args)
            : undefined
        if (event !== undefined) {
          pending += event
          continue
        }
      }
      // The common case, a text delta into the open text block: its content goes out as it came.
      const literal = template.literalOf(sse.data)
      const fast =
        literal !== undefined && isStringifyLiteral(literal) ? translator.textDeltaEvent(literal) : undefined
      if (fast !== undefined) {
        pending += fast
        continue
      }
      for (const e of translate(sse, literal, argsShape)) pending += sseEventText(e)
    }
    queue.length = 0
    if (!lane) {
      const shape = template.shape
      if (shape) lane = new TextDeltaLane(shape.prefix, shape.suffix)
    }
  }

  /**
   * Takes one upstream read: text deltas through the lane whenever it can take them, everything else through
   * the parser one event at a time, so that the lane goes on right after the event that opened a text block
   * (when the upstream is ahead, one read holds a whole answer).
   */
  const feed = (value: Uint8Array): void => {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    let at = 0
    while (at < bytes.length && !sawDone) {
      if (parserClean && lane) {
        const index = translator.openTextIndex()
        if (index !== undefined) {
          const taken: Buffer[] = []
          const n = lane.take(at === 0 ? bytes : bytes.subarray(at), index, taken)
          if (n > 0) {
            // The text gathered before these events goes out ahead of them.
            if (pending !== '') parts.push(Buffer.from(pending))
            pending = ''
            for (const piece of taken) parts.push(piece)
            at += n
            if (at === bytes.length) break
          }
        }
      }
      const blank = bytes.indexOf(EVENT_END, at)
      const end = blank < 0 ? bytes.length : blank + 2
      parser.push(at === 0 && end === bytes.length ? bytes : bytes.subarray(at, end), queue)
      // Given up to a blank line, the parser holds nothing and the lane may read on.
      parserClean = blank >= 0
      at = end
      drain()
    }
  }

  // Everything one upstream read completes goes out as one chunk: one socket write instead of one per event.
  const read = async (): Promise<Uint8Array | undefined> => {
    if (closed) return undefined
    try {
      for (;;) {
        if (sawDone) return finish(translator.end())
        // Chunks the upstream already delivered join this one: one write for what one socket read brought.
        const ready = upstream.readNow?.()
        if (ready !== undefined) {
          feed(ready)
          continue
        }
        if (pending !== '' || parts.length > 0) {
          sentAny = true
          return output()
        }
        if (upstreamDone) {
          return finish(
            translator.finished
              ? translator.end()
              : translator.fail(`${options.describe} ended the stream before the response was complete`),
          )
        }
        const value = await upstream.read()
        if (value === undefined) {
          upstreamDone = true
          parser.end(queue)
          drain()
        } else feed(value)
      }
    } catch (err) {
      if (closed) throw err
      const reason = err instanceof Error ? err.message : String(err)
      queue.length = 0
      return finish(translator.fail(`${options.describe} failed mid-stream: ${reason}`))
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
