/**
 * Test helpers for the router: recorded upstream streams replayed at awkward byte boundaries, an injected
 * upstream `fetch` that records what the router sent, and an SSE reader for the router's output.
 */
import fc from 'fast-check'
import { expect } from 'vitest'
import { AppError } from '../../protocol/errors.js'
import { openAIStreamToAnthropic } from '../providers/openai-compatible/openai-stream-to-anthropic.js'
import { type ChunkReader, readText as readBody } from '../providers/upstream.js'
import { SseParser } from '../wire/sse-parser.js'
import contentFilter from './content-filter.chunks.txt?raw'
import cumulativeAndFinalArgs from './cumulative-and-final-args.chunks.txt?raw'
import emptyArguments from './empty-arguments.chunks.txt?raw'
import lengthMidTool from './length-mid-tool.chunks.txt?raw'
import midStreamError from './mid-stream-error.chunks.txt?raw'
import missingIndexAndId from './missing-index-and-id.chunks.txt?raw'
import mistralTypedParts from './mistral-typed-parts.chunks.txt?raw'
import ollamaIndexZero from './ollama-index-zero.chunks.txt?raw'
import parallelInterleaved from './parallel-interleaved.chunks.txt?raw'
import reasoning from './reasoning.chunks.txt?raw'
import refusal from './refusal.chunks.txt?raw'
import text from './text.chunks.txt?raw'
import textThenTool from './text-then-tool.chunks.txt?raw'
import toolDeltas from './tool-deltas.chunks.txt?raw'
import truncated from './truncated.chunks.txt?raw'
import twoChoices from './two-choices.chunks.txt?raw'
import usageEveryChunk from './usage-every-chunk.chunks.txt?raw'

// Imported, not read from disk, so the same tests can run where there is no file system (workerd).
const FIXTURES: Record<string, string> = {
  'content-filter': contentFilter,
  'cumulative-and-final-args': cumulativeAndFinalArgs,
  'empty-arguments': emptyArguments,
  'length-mid-tool': lengthMidTool,
  'mid-stream-error': midStreamError,
  'missing-index-and-id': missingIndexAndId,
  'mistral-typed-parts': mistralTypedParts,
  'ollama-index-zero': ollamaIndexZero,
  'parallel-interleaved': parallelInterleaved,
  reasoning: reasoning,
  refusal: refusal,
  'text-then-tool': textThenTool,
  text: text,
  'tool-deltas': toolDeltas,
  truncated: truncated,
  'two-choices': twoChoices,
  'usage-every-chunk': usageEveryChunk,
}

export function fixture(name: string): string {
  const text = FIXTURES[name]
  if (text === undefined) throw new Error(`no fixture ${name}.chunks.txt`)
  return text
}

/** The bytes of `text` as a stream of reads of `size` bytes (splits UTF-8 characters and lines on purpose). */
export function chunkedStream(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text)
  let offset = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close()
      controller.enqueue(bytes.slice(offset, offset + size))
      offset += size
    },
  })
}

/** Read sizes every fixture is replayed with: one byte, odd sizes, and everything in one read. */
export const SPLITS = [1, 3, 7, 64, 1_000_000]

/** A body to its end as text: a web stream, or a reader (what the stream translations answer). */
export async function readText(body: ReadableStream<Uint8Array> | ChunkReader | null): Promise<string> {
  if (!body) return ''
  return 'getReader' in body ? new Response(body).text() : readBody(body)
}

export interface ParsedEvent {
  event: string | undefined
  data: Record<string, unknown>
}

/** The router's SSE output as `{event, data}` pairs. */
export function parseSse(text: string): ParsedEvent[] {
  const parser = new SseParser()
  const events = [...parser.push(new TextEncoder().encode(text)), ...parser.end()]
  return events.map((e) => ({ event: e.event, data: JSON.parse(e.data) as Record<string, unknown> }))
}

export interface RecordedCall {
  url: string
  headers: Headers
  body: string
}

export interface UpstreamReply {
  status?: number
  headers?: Record<string, string>
  body: string
  /** Read size for the body; default 5 bytes. */
  split?: number
}

/** A `fetch` that answers each call with the next reply and records what was sent. */
export function scriptedFetch(replies: UpstreamReply[] | ((call: RecordedCall) => UpstreamReply)): {
  fetch: typeof fetch
  calls: RecordedCall[]
} {
  const calls: RecordedCall[] = []
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const call = { url: request.url, headers: request.headers, body: await request.text() }
    calls.push(call)
    const reply = typeof replies === 'function' ? replies(call) : replies[calls.length - 1]
    if (!reply) throw new Error(`no scripted reply for call ${calls.length}`)
    return new Response(chunkedStream(reply.body, reply.split ?? 5), {
      status: reply.status ?? 200,
      headers: reply.headers ?? { 'content-type': 'text/event-stream' },
    })
  }
  return { fetch: fetchImpl as typeof fetch, calls }
}

/** Compact `[type, index?, detail]` view of an Anthropic event list, for readable expectations. */
export function outline(events: ParsedEvent[]): unknown[][] {
  return events.map(({ data }) => {
    const type = data.type
    if (type === 'content_block_start') return [type, data.index, data.content_block]
    if (type === 'content_block_delta') return [type, data.index, data.delta]
    if (type === 'content_block_stop') return [type, data.index]
    if (type === 'message_delta') return [type, data.delta, data.usage]
    if (type === 'error') return [type, data.error]
    if (type === 'message_start') {
      const m = data.message as Record<string, unknown>
      return [type, m.id, m.model, m.usage]
    }
    return [type]
  })
}

/** `openAIStreamToAnthropic` over `reads` (runs of bytes, each one read of the upstream), as text. */
export async function translateReads(reads: Uint8Array[]): Promise<string> {
  let i = 0
  const upstream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = reads[i++]
        if (next === undefined) controller.close()
        else controller.enqueue(next)
      },
    },
    { highWaterMark: 0 },
  )
  return readText(
    openAIStreamToAnthropic(upstream.getReader(), { requestedModel: 'm', describe: 'test upstream' }),
  )
}

/** Checks that `bytes` translate to `expected` however they are cut into reads (up to ten cuts). */
export async function expectSameWhereverCut(
  bytes: Uint8Array,
  expected: string,
  runs: number,
): Promise<void> {
  const cuts = fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 10 })
  await fc.assert(
    fc.asyncProperty(cuts, async (at) => {
      const ends = [...at.sort((a, b) => a - b), bytes.length]
      const reads = ends.map((end, i) => bytes.subarray(i === 0 ? 0 : ends[i - 1], end))
      expect(await translateReads(reads)).toBe(expected)
    }),
    { numRuns: runs },
  )
}

/** The message of the `invalid_config` AppError `fn` throws; fails the test when it throws nothing or another error. */
export function configError(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).type).toBe('invalid_config')
    return (err as AppError).message
  }
  throw new Error('expected an invalid_config error')
}
