import { describe, expect, it } from 'vitest'
import { chunkedStream, fixture, outline, parseSse, readText, SPLITS } from '../../__fixtures__/harness.js'
import {
  OpenAIStreamTranslator,
  openAIStreamToAnthropic,
  type StreamSummary,
} from './openai-stream-to-anthropic.js'

const MODEL = 'groq/openai/gpt-oss-120b'

async function translate(text: string, split: number, onEnd?: (s: StreamSummary) => void): Promise<string> {
  return readText(
    openAIStreamToAnthropic(chunkedStream(text, split).getReader(), {
      requestedModel: MODEL,
      describe: 'groq at https://x',
      onEnd,
    }),
  )
}

/** Replays a fixture at every split size; the output must be byte-identical for all of them. */
async function replay(name: string) {
  const outputs = await Promise.all(SPLITS.map((split) => translate(fixture(name), split)))
  for (const out of outputs) expect(out).toBe(outputs[0])
  const events = parseSse(outputs[0] ?? '')
  for (const e of events) expect(e.event).toBe(e.data.type)
  return { raw: outputs[0] ?? '', events, outline: outline(events) }
}

/** The outline with consecutive `input_json_delta`s of one block joined, to compare the arguments as a whole. */
function joinJsonDeltas(o: unknown[][]): unknown[][] {
  const out: unknown[][] = []
  for (const e of o) {
    const prev = out.at(-1)
    const delta = e[2] as { type?: string; partial_json?: string } | undefined
    const prevDelta = prev?.[2] as { type?: string; partial_json?: string } | undefined
    if (
      e[0] === 'content_block_delta' &&
      delta?.type === 'input_json_delta' &&
      prev?.[0] === 'content_block_delta' &&
      prev[1] === e[1] &&
      prevDelta?.type === 'input_json_delta'
    ) {
      out[out.length - 1] = [
        prev[0],
        prev[1],
        { type: 'input_json_delta', partial_json: `${prevDelta.partial_json}${delta.partial_json}` },
      ]
    } else out.push(e)
  }
  return out
}

/** Structural rules every translated stream keeps (conformance cases 7-9). */
function expectWellFormed(events: ReturnType<typeof parseSse>) {
  const types = events.map((e) => e.data.type)
  expect(types.filter((t) => t === 'message_start')).toHaveLength(1)
  expect(types[0]).toBe('message_start')
  let open: number | undefined
  let next = 0
  let kind: string | undefined
  for (const { data } of events) {
    if (data.type === 'content_block_start') {
      expect(open).toBeUndefined()
      expect(data.index).toBe(next++)
      open = data.index as number
      kind = (data.content_block as { type: string }).type
    } else if (data.type === 'content_block_delta') {
      expect(data.index).toBe(open)
      const delta = data.delta as { type: string; text?: string }
      expect(delta.type).toBe(
        { text: 'text_delta', thinking: 'thinking_delta', tool_use: 'input_json_delta' }[kind ?? ''],
      )
      if (delta.type === 'text_delta') expect(delta.text).not.toBe('')
    } else if (data.type === 'content_block_stop') {
      expect(data.index).toBe(open)
      open = undefined
    }
  }
  expect(open).toBeUndefined()
  if (types.at(-1) !== 'error') {
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop'])
    expect(events.at(-2)?.data.usage).toBeDefined()
  }
}

describe('openAIStreamToAnthropic', () => {
  it('streams text as one block, echoes the requested model and reports usage at the end', async () => {
    const { raw, events } = await replay('text')
    expect(raw).toBe(
      [
        `event: message_start\ndata: {"type":"message_start","message":{"id":"msg_chatcmpl-text1","type":"message","role":"assistant","model":"${MODEL}","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}}\n\n`,
        'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}\n\n',
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", wörld ✓"}}\n\n',
        'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
        'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":12,"output_tokens":5}}\n\n',
        'event: message_stop\ndata: {"type":"message_stop"}\n\n',
      ].join(''),
    )
    expect(raw).not.toContain('[DONE]')
    expectWellFormed(events)
  })

  it('keeps the first argument delta when switching from text to a tool call', async () => {
    const { outline: streamed, events } = await replay('text-then-tool')
    const o = joinJsonDeltas(streamed)
    expect(o).toEqual([
      ['message_start', 'msg_chatcmpl-tool1', MODEL, { input_tokens: 0, output_tokens: 0 }],
      ['content_block_start', 0, { type: 'text', text: '' }],
      ['content_block_delta', 0, { type: 'text_delta', text: 'Let me write it.' }],
      ['content_block_stop', 0],
      ['content_block_start', 1, { type: 'tool_use', id: 'call_write_1', name: 'Write', input: {} }],
      [
        'content_block_delta',
        1,
        { type: 'input_json_delta', partial_json: '{"file_path": "hello.txt", "content": "hi"}' },
      ],
      ['content_block_stop', 1],
      [
        'message_delta',
        { stop_reason: 'tool_use', stop_sequence: null },
        { input_tokens: 60, output_tokens: 20, cache_read_input_tokens: 40 },
      ],
      ['message_stop'],
    ])
    expectWellFormed(events)
  })

  it('streams tool-call argument deltas as they arrive when indexes and ids are well-formed', async () => {
    const { outline: o, events } = await replay('tool-deltas')
    expect(o.slice(1, -2)).toEqual([
      ['content_block_start', 0, { type: 'text', text: '' }],
      ['content_block_delta', 0, { type: 'text_delta', text: 'Reading both.' }],
      ['content_block_stop', 0],
      ['content_block_start', 1, { type: 'tool_use', id: 'call_r1', name: 'Read', input: {} }],
      ['content_block_delta', 1, { type: 'input_json_delta', partial_json: '{"file_' }],
      ['content_block_delta', 1, { type: 'input_json_delta', partial_json: 'path":"a' }],
      ['content_block_delta', 1, { type: 'input_json_delta', partial_json: '.ts"}' }],
      ['content_block_stop', 1],
      ['content_block_start', 2, { type: 'tool_use', id: 'call_r2', name: 'Read', input: {} }],
      ['content_block_delta', 2, { type: 'input_json_delta', partial_json: '{"file_path"' }],
      ['content_block_delta', 2, { type: 'input_json_delta', partial_json: ':"b.ts"}' }],
      ['content_block_stop', 2],
    ])
    expectWellFormed(events)
  })

  it('sends each argument delta as soon as its chunk is read, before the response ends', async () => {
    const translator = new OpenAIStreamTranslator({ requestedModel: MODEL })
    const chunk = (tool: Record<string, unknown>) =>
      translator.push({ id: 'c', choices: [{ index: 0, delta: { tool_calls: [tool] } }] })
    expect(
      chunk({ index: 0, id: 'call_1', function: { name: 'Bash', arguments: '' } }).map((e) => e.type),
    ).toEqual(['message_start', 'content_block_start'])
    expect(chunk({ index: 0, function: { arguments: '{"command":' } })).toEqual([
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: '{"command":' },
      },
    ])
    expect(chunk({ index: 0, function: { arguments: '"ls"}' } })).toEqual([
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '"ls"}' } },
    ])
  })

  it('sends each of 6,400 argument deltas once, so a long tool call costs in proportion to its length', async () => {
    const chunk = (delta: unknown, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
    const args = (text: string) => chunk({ tool_calls: [{ index: 0, function: { arguments: text } }] })
    const lines = Array.from({ length: 6400 }, (_, i) => `line ${i} of the file\\n`)
    const text = [
      chunk({ role: 'assistant', content: '' }),
      chunk({
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'Write', arguments: '' } },
        ],
      }),
      args('{"content":"'),
      ...lines.map(args),
      args('"}'),
      chunk({}, 'tool_calls'),
      'data: [DONE]\n\n',
    ].join('')
    const events = parseSse(await translate(text, 4096))
    const pieces = events
      .map((e) => e.data.delta as { type?: string; partial_json?: string } | undefined)
      .filter((d) => d?.type === 'input_json_delta')
      .map((d) => d?.partial_json)
    // Each upstream delta goes out as itself: nothing sent so far is sent again.
    expect(pieces).toHaveLength(6402)
    expect(pieces.join('')).toBe(`{"content":"${lines.join('')}"}`)
  })

  it('holds text that interleaves with an unfinished tool call until the call closes', async () => {
    const translator = new OpenAIStreamTranslator({ requestedModel: MODEL })
    const events = [
      ...translator.push({
        id: 'c',
        choices: [
          {
            index: 1,
            delta: { tool_calls: [{ index: 0, id: 'call_1', function: { name: 'LS', arguments: '{"pa' } }] },
          },
        ],
      }),
      ...translator.push({ id: 'c', choices: [{ index: 0, delta: { content: 'Looking.' } }] }),
      ...translator.push({
        id: 'c',
        choices: [{ index: 1, delta: { tool_calls: [{ index: 0, function: { arguments: 'th":"."}' } }] } }],
      }),
      ...translator.push({ id: 'c', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }),
      ...translator.end(),
    ]
    const o = joinJsonDeltas(outline(events.map((data) => ({ event: data.type, data }))))
    expect(o.slice(1, -2)).toEqual([
      ['content_block_start', 0, { type: 'tool_use', id: 'call_1', name: 'LS', input: {} }],
      ['content_block_delta', 0, { type: 'input_json_delta', partial_json: '{"path":"."}' }],
      ['content_block_stop', 0],
      ['content_block_start', 1, { type: 'text', text: '' }],
      ['content_block_delta', 1, { type: 'text_delta', text: 'Looking.' }],
      ['content_block_stop', 1],
    ])
  })

  it('buffers arguments that do not start like a JSON object and sends {} for them', async () => {
    const translator = new OpenAIStreamTranslator({ requestedModel: MODEL })
    const events = [
      ...translator.push({
        id: 'c',
        choices: [
          {
            index: 0,
            delta: { tool_calls: [{ index: 0, id: 'x', function: { name: 'A', arguments: '[1' } }] },
          },
        ],
      }),
      ...translator.push({
        id: 'c',
        choices: [
          {
            index: 0,
            delta: { tool_calls: [{ index: 0, function: { arguments: ']' } }] },
            finish_reason: 'tool_calls',
          },
        ],
      }),
      ...translator.end(),
    ]
    expect(events.filter((e) => e.type === 'content_block_delta')).toEqual([
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{}' } },
    ])
    expect(translator.result?.invalidToolArguments).toEqual(['A'])
  })

  it('separates interleaved parallel tool calls by index when later chunks carry no id', async () => {
    const { outline: streamed, events } = await replay('parallel-interleaved')
    const o = joinJsonDeltas(streamed)
    expect(o.slice(1, -2)).toEqual([
      ['content_block_start', 0, { type: 'tool_use', id: 'call_a', name: 'Read', input: {} }],
      ['content_block_delta', 0, { type: 'input_json_delta', partial_json: '{"file_path":"a.ts"}' }],
      ['content_block_stop', 0],
      ['content_block_start', 1, { type: 'tool_use', id: 'call_b', name: 'Glob', input: {} }],
      ['content_block_delta', 1, { type: 'input_json_delta', partial_json: '{"pattern":"*.md"}' }],
      ['content_block_stop', 1],
    ])
    expect(o.at(-2)).toEqual([
      'message_delta',
      { stop_reason: 'tool_use', stop_sequence: null },
      { input_tokens: 50, output_tokens: 30 },
    ])
    expectWellFormed(events)
  })

  it('separates Ollama tool calls that all use index 0 by their ids', async () => {
    const { outline: o, events } = await replay('ollama-index-zero')
    expect(o.filter((e) => e[0] === 'content_block_start').map((e) => e[2])).toEqual([
      { type: 'tool_use', id: 'call_x1', name: 'Bash', input: {} },
      { type: 'tool_use', id: 'call_x2', name: 'Bash', input: {} },
    ])
    expect(o.filter((e) => e[0] === 'content_block_delta').map((e) => e[2])).toEqual([
      { type: 'input_json_delta', partial_json: '{"command":"ls"}' },
      { type: 'input_json_delta', partial_json: '{"command":"pwd"}' },
    ])
    expectWellFormed(events)
  })

  it('joins chunks without index or id to the call before them and makes odd ids valid', async () => {
    const { outline: streamed, events } = await replay('missing-index-and-id')
    const o = joinJsonDeltas(streamed)
    const start = o.find((e) => e[0] === 'content_block_start')?.[2] as { id: string }
    expect(start.id).toMatch(/^[a-zA-Z0-9_-]+$/)
    expect(o.slice(1, -2)).toEqual([
      ['content_block_start', 0, { type: 'tool_use', id: start.id, name: 'Grep', input: {} }],
      ['content_block_delta', 0, { type: 'input_json_delta', partial_json: '{"pattern":"TODO"}' }],
      ['content_block_stop', 0],
    ])
    expect(o.at(-2)?.[1]).toEqual({ stop_reason: 'tool_use', stop_sequence: null })
    expectWellFormed(events)
  })

  it('takes cumulative argument snapshots and arguments sent only in the final chunk', async () => {
    const { outline: streamed, events } = await replay('cumulative-and-final-args')
    const o = joinJsonDeltas(streamed)
    expect(o.filter((e) => e[0] === 'content_block_delta').map((e) => e[2])).toEqual([
      { type: 'input_json_delta', partial_json: '{"old":"a","new":"b"}' },
      { type: 'input_json_delta', partial_json: '{"todos":[]}' },
    ])
    expectWellFormed(events)
  })

  it('turns empty arguments into {} and never opens a block for empty text', async () => {
    const { outline: o, events } = await replay('empty-arguments')
    expect(o.slice(1, -2)).toEqual([
      ['content_block_start', 0, { type: 'tool_use', id: 'call_e', name: 'ExitPlanMode', input: {} }],
      ['content_block_delta', 0, { type: 'input_json_delta', partial_json: '{}' }],
      ['content_block_stop', 0],
    ])
    expect(o[0]).toEqual([
      'message_start',
      'msg_chatcmpl-empty',
      MODEL,
      { input_tokens: 7, output_tokens: 1 },
    ])
    expect(o.at(-2)?.[2]).toEqual({ input_tokens: 7, output_tokens: 3 })
    expectWellFormed(events)
  })

  it('keeps the text block open while every chunk carries usage', async () => {
    const { outline: o, events } = await replay('usage-every-chunk')
    expect(o.slice(1, -2)).toEqual([
      ['content_block_start', 0, { type: 'text', text: '' }],
      ['content_block_delta', 0, { type: 'text_delta', text: 'one ' }],
      ['content_block_delta', 0, { type: 'text_delta', text: 'two ' }],
      ['content_block_delta', 0, { type: 'text_delta', text: 'three' }],
      ['content_block_stop', 0],
    ])
    expectWellFormed(events)
  })

  it('turns string reasoning into a thinking block, drops other shapes, and reads CRLF streams with comments', async () => {
    const { outline: o, events } = await replay('reasoning')
    expect(o.slice(1, -2)).toEqual([
      ['content_block_start', 0, { type: 'thinking', thinking: '', signature: '' }],
      ['content_block_delta', 0, { type: 'thinking_delta', thinking: 'The user wants ' }],
      ['content_block_delta', 0, { type: 'thinking_delta', thinking: 'a greeting.' }],
      ['content_block_stop', 0],
      ['content_block_start', 1, { type: 'text', text: '' }],
      ['content_block_delta', 1, { type: 'text_delta', text: 'Hi!' }],
      ['content_block_stop', 1],
    ])
    expectWellFormed(events)
  })

  it("turns Mistral's typed content parts into a thinking block and a text block (Magistral)", async () => {
    const { outline: o, events } = await replay('mistral-typed-parts')
    expect(o.slice(1, -2)).toEqual([
      ['content_block_start', 0, { type: 'thinking', thinking: '', signature: '' }],
      ['content_block_delta', 0, { type: 'thinking_delta', thinking: 'The user says hello. ' }],
      ['content_block_delta', 0, { type: 'thinking_delta', thinking: 'I should greet back.' }],
      ['content_block_stop', 0],
      ['content_block_start', 1, { type: 'text', text: '' }],
      ['content_block_delta', 1, { type: 'text_delta', text: 'Hello' }],
      ['content_block_delta', 1, { type: 'text_delta', text: '! How can I help?' }],
      ['content_block_stop', 1],
    ])
    expect(o.at(-2)).toEqual([
      'message_delta',
      { stop_reason: 'end_turn', stop_sequence: null },
      expect.objectContaining({ input_tokens: 9, output_tokens: 31 }),
    ])
    expectWellFormed(events)
  })

  it("shows OpenAI's refusal text as the answer instead of an empty turn", async () => {
    const { outline: o, events } = await replay('refusal')
    expect(o.slice(1, -2)).toEqual([
      ['content_block_start', 0, { type: 'text', text: '' }],
      ['content_block_delta', 0, { type: 'text_delta', text: "I'm sorry, " }],
      ['content_block_delta', 0, { type: 'text_delta', text: "I can't help with that." }],
      ['content_block_stop', 0],
    ])
    expectWellFormed(events)
  })

  it('maps length to max_tokens even in the middle of a tool call, keeping the arguments streamed so far', async () => {
    const summaries: StreamSummary[] = []
    const out = await translate(fixture('length-mid-tool'), 4, (s) => summaries.push(s))
    const o = outline(parseSse(out))
    expect(o.find((e) => e[0] === 'content_block_delta')?.[2]).toEqual({
      type: 'input_json_delta',
      partial_json: '{"file_path":"big.txt","content":"aaaa',
    })
    expectWellFormed(parseSse(out))
    expect(o.at(-2)?.[1]).toEqual({ stop_reason: 'max_tokens', stop_sequence: null })
    expect(summaries[0]?.invalidToolArguments).toEqual(['Write'])
  })

  it('merges text and tool calls that arrive in two choices', async () => {
    const { outline: o, events } = await replay('two-choices')
    expect(o.slice(1, -2)).toEqual([
      ['content_block_start', 0, { type: 'text', text: '' }],
      ['content_block_delta', 0, { type: 'text_delta', text: 'Checking.' }],
      ['content_block_stop', 0],
      ['content_block_start', 1, { type: 'tool_use', id: 'call_c1', name: 'LS', input: {} }],
      ['content_block_delta', 1, { type: 'input_json_delta', partial_json: '{"path":"."}' }],
      ['content_block_stop', 1],
    ])
    expect(o.at(-2)?.[1]).toEqual({ stop_reason: 'tool_use', stop_sequence: null })
    expectWellFormed(events)
  })

  it('maps content_filter to refusal', async () => {
    const { outline: o } = await replay('content-filter')
    expect(o.at(-2)?.[1]).toEqual({ stop_reason: 'refusal', stop_sequence: null })
  })

  it('ends with an error event when the provider sends an error mid-stream', async () => {
    const { outline: o } = await replay('mid-stream-error')
    expect(o.slice(1)).toEqual([
      ['content_block_start', 0, { type: 'text', text: '' }],
      ['content_block_delta', 0, { type: 'text_delta', text: 'Partial' }],
      [
        'error',
        { type: 'api_error', message: 'groq at https://x failed mid-stream: Provider returned error' },
      ],
    ])
  })

  it('ends with an error event when the stream stops before the response is complete', async () => {
    const { outline: o } = await replay('truncated')
    expect(o.at(-1)).toEqual([
      'error',
      { type: 'api_error', message: 'groq at https://x ended the stream before the response was complete' },
    ])
  })

  it('ends with an error event when the connection breaks mid-stream', async () => {
    const bytes = new TextEncoder().encode(fixture('text').slice(0, 300))
    let sent = false
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error('socket hang up'))
        sent = true
        controller.enqueue(bytes)
      },
    })
    const out = await readText(
      openAIStreamToAnthropic(broken.getReader(), { requestedModel: MODEL, describe: 'groq at https://x' }),
    )
    expect(outline(parseSse(out)).at(-1)).toEqual([
      'error',
      { type: 'api_error', message: 'groq at https://x failed mid-stream: socket hang up' },
    ])
  })
})
