import { describe, expect, it, vi } from 'vitest'
import { expectSameWhereverCut, translateReads } from './__fixtures__/harness.js'
import { sseEventText } from './anthropic-sse.js'
import { parseChunk } from './openai-schema.js'
import { OpenAIStreamTranslator } from './openai-stream-to-anthropic.js'

const head =
  '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":'
const tail = ',"finish_reason":null}]}'
const event = (delta: unknown) => `data: ${head}${JSON.stringify(delta)}${tail}\n\n`
/** An argument piece with its literal written as given (so escapes the fast path must decline can be sent). */
const args = (index: number, literal: string) =>
  `data: ${head}{"tool_calls":[{"index":${index},"function":{"arguments":"${literal}"}}]}${tail}\n\n`
const start = (index: number, id: string, name: string) =>
  event({ tool_calls: [{ index, id, type: 'function', function: { name, arguments: '' } }] })

const EVENTS = [
  event({ role: 'assistant', content: '' }),
  event({ content: 'Writing two files.' }),
  start(0, 'call_w1', 'Write'),
  args(0, '{\\"file_path\\":\\"/w/a.ts\\",'),
  args(0, '\\"content\\":\\"line one\\\\n'),
  args(0, 'say \\\\\\"hi\\\\\\"\\\\n'),
  args(0, 'caf\\u00e9 '),
  args(0, 'wörld ✓ '),
  args(0, ''),
  // A cumulative snapshot: everything so far again, and more.
  args(
    0,
    '{\\"file_path\\":\\"/w/a.ts\\",\\"content\\":\\"line one\\\\nsay \\\\\\"hi\\\\\\"\\\\ncafé wörld ✓ tail',
  ),
  args(0, '\\"}'),
  start(1, 'call_w2', 'Write'),
  args(1, '{\\"file_path\\":\\"/w/b.ts\\",'),
  args(1, '\\"content\\":\\"b\\"}'),
  // A call whose arguments do not start like an object: held and sent whole at the close.
  start(2, 'call_x', 'Odd'),
  args(2, '[1,'),
  args(2, '2]'),
  `data: ${head}{}${tail.replace('null', '"tool_calls"')}\n\n`,
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":9}}\n\n',
  'data: [DONE]\n\n',
]

/** Two calls whose arguments interleave: the second waits until the first is complete. */
const INTERLEAVED = [
  event({ role: 'assistant', content: '' }),
  start(0, 'call_a', 'Read'),
  args(0, '{\\"file_path\\":'),
  args(0, '\\"/w/a'),
  start(1, 'call_b', 'Read'),
  args(1, '{\\"file_path\\":'),
  args(0, '.ts'),
  args(0, '\\"'),
  args(0, '}'),
  args(1, '\\"/w/b.ts\\"}'),
  `data: ${head}{}${tail.replace('null', '"tool_calls"')}\n\n`,
  'data: [DONE]\n\n',
]

/** Every event through `JSON.parse`, the schema check and `push`: the translation without any fast path. */
function parsingPath(events: string[]): string {
  const translator = new OpenAIStreamTranslator({ requestedModel: 'm' })
  let out = ''
  for (const e of events) {
    const data = e.slice(6, -2)
    if (data === '[DONE]') break
    const chunk = parseChunk(JSON.parse(data))
    if (!chunk) throw new Error(`unexpected chunk ${data}`)
    for (const ev of translator.push(chunk)) out += sseEventText(ev)
  }
  for (const ev of translator.end()) out += sseEventText(ev)
  return out
}

const encoder = new TextEncoder()

describe('streamed tool-call arguments read through the learned chunk shape', () => {
  it('writes the same bytes as parsing every chunk, and takes the plain pieces without parsing them', async () => {
    const take = vi.spyOn(OpenAIStreamTranslator.prototype, 'toolArgumentsEvent')
    try {
      const expected = parsingPath(EVENTS)
      expect(await translateReads([encoder.encode(EVENTS.join(''))])).toBe(expected)
      // The pieces after each call's first: five of the first call (all but the empty one and the \u00e9 one,
      // which JSON.stringify would not write that way; the snapshot included), one of the second, and none
      // of the third, whose arguments are held.
      const taken = take.mock.results.filter((r) => r.value !== undefined).length
      expect(taken).toBe(6)
    } finally {
      take.mockRestore()
    }
  })

  it('leaves pieces to the parsing path while a later call waits for the open one', async () => {
    const expected = parsingPath(INTERLEAVED)
    // The second call's block starts only after the first call's last piece.
    expect(expected.indexOf('"id":"call_b"')).toBeGreaterThan(expected.indexOf('"partial_json":"}"'))
    expect(await translateReads([encoder.encode(INTERLEAVED.join(''))])).toBe(expected)
  })

  it('writes the same bytes as parsing every chunk wherever the reads are cut', async () => {
    await expectSameWhereverCut(encoder.encode(EVENTS.join('')), parsingPath(EVENTS), 200)
  })
})
