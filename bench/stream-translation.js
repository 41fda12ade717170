/**
 * `npm run bench:translation`: the streamed OpenAI -> Anthropic translation (`openAIStreamToAnthropic` from
 * `dist/`, web streams in and out as the router runs it) in isolation, per upstream event, against a
 * baseline measured in the same run: `JSON.parse` of every event's data alone. Rows: a text answer (40 deltas, in 6 reads and in one), and a tool call whose
 * arguments stream as 400, 1,600 and 6,400 deltas (Claude Code writing a file), where the cost per event
 * must stay flat as the call grows.
 */
import { openAIStreamToAnthropic } from '../dist/router/providers/openai-compatible/openai-stream-to-anthropic.js'

const quick = process.env.BENCH_QUICK === '1'
const chunk = (delta, finish = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
const tail = [
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [], usage: { prompt_tokens: 25, completion_tokens: 40 } })}\n\n`,
  'data: [DONE]\n\n',
]

function textAnswer() {
  const words = Array.from({ length: 40 }, (_, i) => chunk({ content: `w${i} ` }))
  return [chunk({ role: 'assistant', content: '' }), ...words, chunk({}, 'stop'), ...tail]
}

function toolAnswer(deltas) {
  return [
    chunk({ role: 'assistant', content: '' }),
    chunk({ content: 'Writing the file.' }),
    chunk({
      tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'Write', arguments: '' } }],
    }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"file_path":"/w/a.ts","content":"' } }] }),
    ...Array.from({ length: deltas }, (_, i) =>
      chunk({ tool_calls: [{ index: 0, function: { arguments: `line ${i} of the file\\n` } }] }),
    ),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '"}' } }] }),
    chunk({}, 'tool_calls'),
    ...tail,
  ]
}

/** The events as socket reads: `size` bytes each, or grouped `perRead` events at a time. */
function reads(events, { size, perRead }) {
  if (perRead) {
    const out = []
    for (let i = 0; i < events.length; i += perRead)
      out.push(Buffer.from(events.slice(i, i + perRead).join('')))
    return out
  }
  const all = Buffer.from(events.join(''))
  const out = []
  for (let i = 0; i < all.length; i += size) out.push(all.subarray(i, i + size))
  return out
}

async function translateOnce(parts) {
  let i = 0
  const upstream = new ReadableStream(
    {
      pull(controller) {
        const part = parts[i++]
        if (part === undefined) controller.close()
        else controller.enqueue(part)
      },
    },
    { highWaterMark: 0 },
  )
  const out = openAIStreamToAnthropic(upstream, { requestedModel: 'bench/m', describe: 'bench' }).getReader()
  let bytes = 0
  for (let r = await out.read(); !r.done; r = await out.read()) bytes += r.value.length
  return bytes
}

function parseOnce(events) {
  let n = 0
  for (const e of events) {
    const data = e.slice(6, -2)
    if (data !== '[DONE]') n += JSON.parse(data).choices.length
  }
  return n
}

/** Microseconds per call of `fn`, the best of `rounds` rounds (after one round of warm-up). */
async function time(fn, budgetMs) {
  const rounds = quick ? 3 : 7
  let best = Number.POSITIVE_INFINITY
  for (let r = 0; r <= rounds; r++) {
    let calls = 0
    const started = performance.now()
    while (performance.now() - started < budgetMs) {
      await fn()
      calls++
    }
    if (r > 0) best = Math.min(best, ((performance.now() - started) * 1000) / calls)
  }
  return best
}

const rows = [
  ['text answer, 40 deltas', textAnswer(), { perRead: 8 }],
  ['text answer, 40 deltas', textAnswer(), { perRead: 1000 }],
  ['tool call, 400 argument deltas', toolAnswer(400), { size: 16384 }],
  ['tool call, 1,600 argument deltas', toolAnswer(1600), { size: 16384 }],
  ['tool call, 6,400 argument deltas', toolAnswer(6400), { size: 16384 }],
]
const budget = quick ? 50 : 300
const lines = [
  '| stream | events | reads | translation µs/stream | µs/event | JSON.parse alone µs/event | translation / JSON.parse |',
  '|---|---|---|---|---|---|---|',
]
for (const [name, events, split] of rows) {
  const parts = reads(events, split)
  const us = await time(() => translateOnce(parts), budget)
  const parseUs = await time(() => parseOnce(events), budget)
  lines.push(
    `| ${name} | ${events.length} | ${parts.length} | ${us.toFixed(1)} | ${(us / events.length).toFixed(2)} | ${(parseUs / events.length).toFixed(2)} | ${(us / parseUs).toFixed(2)} |`,
  )
}
process.stdout.write(
  `${lines.join('\n')}\n\nnode ${process.version}; best of ${quick ? 3 : 7} rounds of ${budget} ms each\n`,
)
