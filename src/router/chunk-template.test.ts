import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ChunkTemplate, isStringifyLiteral } from './chunk-template.js'
import { parseChunk } from './openai-schema.js'

const event = (content: unknown, extra = '') =>
  `{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null${extra}}]}`

/** What the stream translation makes of an event: its chunk when it has the learned shape. */
function match(t: ChunkTemplate, data: string) {
  const literal = t.literalOf(data)
  return literal === undefined ? undefined : t.chunkOf(literal)
}

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
      expect(match(t, data)).toEqual({
        id: expected.id,
        choices: [{ index: 0, delta: { content: text }, finish_reason: null }],
      })
    }
  })

  it('leaves other events to the full parse', () => {
    const t = learned()
    expect(match(t, event('x', ',"logprobs":null'))).toBeUndefined()
    expect(match(t, event('x').replace('"c1"', '"c2"'))).toBeUndefined()
    expect(match(t, event('x').replace('"x"', '"a","content":"b"'))).toBeUndefined()
    expect(match(t, event('x').replace('"x"', '"a\\"'))).toBeUndefined()
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

/** True when JSON.stringify writes part of `t` as a \\u escape: a control without a short form, a lone surrogate. */
function needsUnicodeEscape(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i)
    if (c < 32 && ![8, 9, 10, 12, 13].includes(c)) return true
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = t.charCodeAt(i + 1)
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true
      i++
    } else if (c >= 0xdc00 && c <= 0xdfff) return true
  }
  return false
}

describe('isStringifyLiteral', () => {
  const inside = (text: string) => JSON.stringify(text).slice(1, -1)

  it('accepts what JSON.stringify writes for any text without \\u escapes (other controls, lone surrogates)', () => {
    const text = fc.string({ unit: 'binary' }).filter((t) => !needsUnicodeEscape(t))
    fc.assert(
      fc.property(text, (t) => isStringifyLiteral(inside(t))),
      { numRuns: 2000 },
    )
    // Those go the parsing way: still correct, only not the shortcut.
    expect(isStringifyLiteral(inside('bell\u0007'))).toBe(false)
  })

  it('accepts only literals JSON.stringify would write that way, so they can be sent on unchanged', () => {
    const piece = fc.constantFrom(
      'a',
      'é',
      '\\n',
      '\\"',
      '\\\\',
      '\\/',
      '\\u0041',
      '\\u00e9',
      '"',
      '\u2028',
      '\ud83d\ude00',
      '\ud83d',
      '\t',
      '\\t',
    )
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const literal = pieces.join('')
        if (!isStringifyLiteral(literal)) return true
        return inside(JSON.parse(`"${literal}"`) as string) === literal
      }),
      { numRuns: 2000 },
    )
    expect(isStringifyLiteral('line\\nbreak \\"quoted\\"')).toBe(true)
    for (const other of ['\\/', '\\u0041', 'a"b', 'tab\there', '\ud83d'])
      expect(isStringifyLiteral(other)).toBe(false)
  })
})
