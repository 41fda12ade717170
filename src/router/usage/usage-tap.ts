/**
 * Reads token usage out of an answer that is passed through unchanged: Anthropic SSE (`message_start`,
 * `message_delta`), Anthropic JSON, and OpenAI SSE/JSON (`usage`). The bytes go to the client as they came.
 */
import { indexOf, lastIndexOf, needle } from './byte-search.js'
import type { TokenCounts } from './price-table.js'

export type UsageFormat = 'anthropic' | 'openai'
type Format = UsageFormat

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0
}

/** Usage from one parsed JSON object (an SSE event or a whole answer), merged into `into`. */
export function readUsage(format: Format, json: unknown, into: TokenCounts): void {
  const obj = record(json)
  if (!obj) return
  if (format === 'openai') {
    const u = record(obj.usage)
    if (!u) return
    const cached = num(record(u.prompt_tokens_details)?.cached_tokens)
    into.inputTokens = Math.max(0, num(u.prompt_tokens) - cached)
    into.cacheReadTokens = cached
    into.outputTokens = num(u.completion_tokens)
    return
  }
  const u = record(obj.usage) ?? record(record(obj.message)?.usage)
  if (!u) return
  if (u.input_tokens !== undefined)
    into.inputTokens = num(u.input_tokens) + num(u.cache_creation_input_tokens)
  if (u.cache_read_input_tokens !== undefined) into.cacheReadTokens = num(u.cache_read_input_tokens)
  if (u.output_tokens !== undefined) into.outputTokens = num(u.output_tokens)
}

const KEEP = 16 * 1024

/**
 * Reads usage out of a streamed answer without parsing all of it: Anthropic puts usage in `message_start`
 * (the first event) and `message_delta` (the last ones), OpenAI in the last chunk, so only the first and the
 * last 16 KiB are kept and parsed when the stream ends.
 */
export class SseUsageReader {
  private readonly head: Uint8Array[] = []
  private headBytes = 0
  private tail: Uint8Array[] = []
  private tailBytes = 0
  private dropped = false

  constructor(private readonly format: Format) {}

  push(chunk: Uint8Array): void {
    if (this.headBytes < KEEP) {
      this.head.push(chunk)
      this.headBytes += chunk.length
      return
    }
    this.tail.push(chunk)
    this.tailBytes += chunk.length
    while (this.tail.length > 1 && this.tailBytes - (this.tail[0] as Uint8Array).length >= KEEP) {
      this.tailBytes -= (this.tail.shift() as Uint8Array).length
      this.dropped = true
    }
  }

  result(): TokenCounts {
    const tokens: TokenCounts = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0 }
    // OpenAI's usage is the last that counts, and it sits in the last chunk: read backwards from the end.
    const last = this.tail.at(-1) ?? this.head.at(-1)
    if (this.format === 'openai' && last && lastOpenAIUsage(concat([last]), tokens)) return tokens
    // Only the events that mention usage are decoded and parsed: found in the bytes, cut at their blank lines.
    const scan = (bytes: Uint8Array) => {
      for (let at = indexOf(bytes, USAGE); at >= 0; ) {
        const start = lastIndexOf(bytes, BOUNDARY, at)
        const end = indexOf(bytes, BOUNDARY, at)
        for (const json of usageData(bytes, start < 0 ? 0 : start + 2, end))
          readUsage(this.format, json, tokens)
        if (end < 0) break
        at = indexOf(bytes, USAGE, end)
      }
    }
    if (!this.dropped) {
      scan(concat([...this.head, ...this.tail]))
      return tokens
    }
    // Only whole events: the head up to its last boundary, the tail from its first.
    const head = concat(this.head)
    scan(head.subarray(0, lastIndexOf(head, BOUNDARY) + 2))
    const tail = concat(this.tail)
    scan(tail.subarray(indexOf(tail, BOUNDARY) + 2))
    return tokens
  }
}

/**
 * The last event of `bytes` whose `usage` is an object, read into `tokens`; `false` when there is none, or
 * when the event with the last mention starts before `bytes` does (then the whole kept text is scanned).
 */
function lastOpenAIUsage(bytes: Uint8Array, tokens: TokenCounts): boolean {
  for (let at = lastIndexOf(bytes, USAGE); at >= 0; ) {
    const start = lastIndexOf(bytes, BOUNDARY, at)
    if (start < 0) return false
    for (const json of usageData(bytes, start + 2, indexOf(bytes, BOUNDARY, at))) {
      if (record(record(json)?.usage)) {
        readUsage('openai', json, tokens)
        return true
      }
    }
    at = start === 0 ? -1 : lastIndexOf(bytes, USAGE, start - 1)
  }
  return false
}

/**
 * The parsed `data:` lines that mention usage, of the event in `bytes` from `start` to `end` (-1: to the end
 * of `bytes`). A cut or non-JSON line is skipped: nothing to count in it.
 */
function usageData(bytes: Uint8Array, start: number, end: number): unknown[] {
  const out: unknown[] = []
  for (const line of decoder.decode(bytes.subarray(start, end < 0 ? bytes.length : end)).split('\n')) {
    if (!line.startsWith('data:') || !line.includes('"usage"')) continue
    try {
      out.push(JSON.parse(line.slice(5)))
    } catch {
      // skipped
    }
  }
  return out
}

const decoder = new TextDecoder()

const USAGE = needle('"usage"', 'g')
const BOUNDARY = needle('\n\n', '\n')

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array
  const out = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

/** Usage of a whole JSON answer, already parsed. */
export function usageOf(format: Format, json: unknown): TokenCounts {
  const tokens: TokenCounts = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0 }
  readUsage(format, json, tokens)
  return tokens
}

/** Usage of a whole JSON answer. */
export function jsonUsage(format: Format, text: string): TokenCounts {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    // not JSON: nothing to count
  }
  return usageOf(format, json)
}
