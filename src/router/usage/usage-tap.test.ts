import { describe, expect, it } from 'vitest'
import { jsonUsage, SseUsageReader } from './usage-tap.js'

const encoder = new TextEncoder()

describe('SseUsageReader', () => {
  it('reads Anthropic usage from message_start and message_delta of a long stream split anywhere', () => {
    const middle = Array.from(
      { length: 2000 },
      (_, i) =>
        `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"w${i} ✓"}}\n\n`,
    ).join('')
    const text =
      'event: message_start\ndata: {"type":"message_start","message":{"id":"m","usage":{"input_tokens":50,"cache_read_input_tokens":7,"output_tokens":1}}}\n\n' +
      middle +
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":321}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n'
    const bytes = encoder.encode(text)
    for (const size of [7, 1000, 100_000]) {
      const reader = new SseUsageReader('anthropic')
      for (let i = 0; i < bytes.length; i += size) reader.push(bytes.slice(i, i + size))
      expect(reader.result(), String(size)).toEqual({
        inputTokens: 50,
        cacheReadTokens: 7,
        outputTokens: 321,
      })
    }
  })

  it('reads OpenAI usage from the last chunk, counting cached prompt tokens apart', () => {
    const reader = new SseUsageReader('openai')
    reader.push(encoder.encode('data: {"choices":[{"delta":{"content":"hi"}}]}\n\n'))
    reader.push(
      encoder.encode(
        'data: {"choices":[],"usage":{"prompt_tokens":30,"completion_tokens":4,"prompt_tokens_details":{"cached_tokens":10}}}\n\ndata: [DONE]\n\n',
      ),
    )
    expect(reader.result()).toEqual({ inputTokens: 20, cacheReadTokens: 10, outputTokens: 4 })
    expect(jsonUsage('openai', '{"usage":{"prompt_tokens":3,"completion_tokens":2}}')).toEqual({
      inputTokens: 3,
      cacheReadTokens: 0,
      outputTokens: 2,
    })
  })
})

describe('SseUsageReader on OpenAI streams', () => {
  const chunk = (usage: string) => `data: {"id":"c","choices":[],"usage":${usage}}\n\n`
  const usage = (p: number, c: number) => `{"prompt_tokens":${p},"completion_tokens":${c}}`

  it('takes the last usage object, skipping later nulls and events cut at the start', () => {
    const text =
      chunk(usage(1, 1)) + chunk(usage(5, 2)) + chunk('null') + 'data: {"choices":[]}\n\ndata: [DONE]\n\n'
    const bytes = encoder.encode(text)
    for (let cut = 1; cut < bytes.length; cut++) {
      const reader = new SseUsageReader('openai')
      reader.push(bytes.slice(0, cut))
      reader.push(bytes.slice(cut))
      expect(reader.result(), `cut at ${cut}`).toEqual({
        inputTokens: 5,
        cacheReadTokens: 0,
        outputTokens: 2,
      })
    }
  })

  it('finds usage in an earlier chunk when the last has none', () => {
    const reader = new SseUsageReader('openai')
    reader.push(encoder.encode(chunk(usage(9, 3))))
    reader.push(encoder.encode('data: [DONE]\n\n'))
    expect(reader.result()).toEqual({ inputTokens: 9, cacheReadTokens: 0, outputTokens: 3 })
  })
})
