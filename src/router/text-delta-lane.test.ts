import { describe, expect, it, vi } from 'vitest'
import { expectSameWhereverCut, parseSse, translateReads } from './__fixtures__/harness.js'
import { TextDeltaLane } from './text-delta-lane.js'

/** A content delta with its literal written as given (so escapes the lane must decline can be sent). */
const delta = (literal: string) =>
  `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"${literal}"},"finish_reason":null}]}\n\n`

const EVENTS = [
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n',
  delta('Hello'),
  delta(' world'),
  delta(' say \\"hi\\"'),
  delta(' back\\\\slash'),
  delta(' line\\nbreak\\t'),
  delta(' \\u00e9'),
  delta(' a\\/b'),
  delta(' wörld ✓'),
  delta(''),
  delta(' DEL\x7f'),
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"Read","arguments":"{\\"file_path\\":\\"a\\"}"}}]},"finish_reason":null}]}\n\n',
  delta('After the tool'),
  delta(', more.'),
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n',
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":9}}\n\n',
  'data: [DONE]\n\n',
]

const encoder = new TextEncoder()

function grouped(size: number): Uint8Array[] {
  const reads: Uint8Array[] = []
  for (let i = 0; i < EVENTS.length; i += size) reads.push(encoder.encode(EVENTS.slice(i, i + size).join('')))
  return reads
}

describe('the text-delta byte lane of the stream translation', () => {
  it('writes the same bytes as the parsing path, whatever runs of events the reads hold', async () => {
    const bytes = encoder.encode(EVENTS.join(''))
    // One byte per read never leaves the parser clean, so this is the parsing path alone.
    const parsed = await translateReads(Array.from(bytes, (b) => Uint8Array.of(b)))
    for (const size of [1, 2, 3, 5, EVENTS.length])
      expect(await translateReads(grouped(size)), `${size} events per read`).toBe(parsed)
    // Reads that cut events in the middle hand over between the lane and the parser.
    const cuts = [0, 400, 401, 1234, 1500, bytes.length]
    const cutReads = cuts.slice(1).map((end, i) => bytes.subarray(cuts[i], end))
    expect(await translateReads(cutReads)).toBe(parsed)

    const events = parseSse(parsed)
    const texts = events.flatMap((e) => {
      const d = e.data.delta as { type?: string; text?: string } | undefined
      return d?.type === 'text_delta' ? [`${e.data.index}:${d.text}`] : []
    })
    expect(texts).toEqual([
      '0:Hello',
      '0: world',
      '0: say "hi"',
      '0: back\\slash',
      '0: line\nbreak\t',
      '0: é',
      '0: a/b',
      '0: wörld ✓',
      '0: DEL\x7f',
      '2:After the tool',
      '2:, more.',
    ])
  })

  it('takes over inside the read that opened the text block, as when a whole answer arrives at once', async () => {
    const take = vi.spyOn(TextDeltaLane.prototype, 'take')
    try {
      const plain = [
        EVENTS[0],
        delta('One'),
        delta(' two'),
        delta(' three'),
        delta(' four'),
        ...EVENTS.slice(-3),
      ]
      const text = await translateReads([encoder.encode(plain.join(''))])
      // The role chunk and the first delta teach the parser the chunk's shape; the next three are copied.
      const laned = take.mock.results.reduce((sum, r) => sum + (r.value as number), 0)
      expect(laned).toBe(delta(' two').length + delta(' three').length + delta(' four').length)
      const oneByOne = await translateReads(
        Array.from(encoder.encode(plain.join('')), (b) => Uint8Array.of(b)),
      )
      expect(text).toBe(oneByOne)
    } finally {
      take.mockRestore()
    }
  })

  it('writes the same bytes as the parsing path wherever the reads are cut', async () => {
    const bytes = encoder.encode(EVENTS.join(''))
    const parsed = await translateReads(Array.from(bytes, (b) => Uint8Array.of(b)))
    await expectSameWhereverCut(bytes, parsed, 300)
  })
})
