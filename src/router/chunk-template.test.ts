import { describe, expect, it } from 'vitest'
import { ChunkTemplate } from './chunk-template.js'
import { parseChunk } from './openai-schema.js'

const event = (content: unknown, extra = '') =>
  `{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null${extra}}]}`

function learned(): ChunkTemplate {
  const t = new ChunkTemplate()
  const first = event('Hello')
  t.learn(first, parseChunk(JSON.parse(first)) as never)
  expect(t.learned).toBe(true)
  return t
}

describe('ChunkTemplate', () => {
  it('reads events of the learned shape as JSON.parse does', () => {
    const t = learned()
    for (const text of ['', ' world', 'line\nbreak "quoted" \\ back', 'é ☃ 😀', '\u0001']) {
      const data = event(text)
      const expected = JSON.parse(data)
      expect(t.match(data)).toEqual({
        id: expected.id,
        choices: [{ index: 0, delta: { content: text }, finish_reason: null }],
      })
    }
  })

  it('leaves other events to the full parse', () => {
    const t = learned()
    expect(t.match(event('x', ',"logprobs":null'))).toBeUndefined()
    expect(t.match(event('x').replace('"c1"', '"c2"'))).toBeUndefined()
    expect(t.match(event('x').replace('"x"', '"a","content":"b"'))).toBeUndefined()
    expect(t.match(event('x').replace('"x"', '"a\\"'))).toBeUndefined()
  })

  it('learns only plain content deltas', () => {
    const t = new ChunkTemplate()
    const role = '{"id":"c1","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}'
    t.learn(role, parseChunk(JSON.parse(role)) as never)
    expect(t.learned).toBe(false)
    const escapedKey = '{"id":"c\\u0031","choices":[{"index":0,"delta":{"content":"a"}}]}'
    t.learn(escapedKey, parseChunk(JSON.parse(escapedKey)) as never)
    expect(t.learned).toBe(false)
  })
})
