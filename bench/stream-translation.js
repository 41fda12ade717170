/**
 * `npm run bench:translation`: the streamed OpenAI -> Anthropic translation (`openAIStreamToAnthropic` from
 * `dist/`, a reader in and out as the router runs it) in isolation, per upstream event, against a baseline
 * measured in the same run: `JSON.parse` of every event's data alone. Rows: a text answer (40 deltas, in 6
 * reads and in one), and a tool call whose
 * arguments stream as 400, 1,600 and 6,400 deltas (Claude Code writing a file), where the cost per event
 * must stay flat as the call grows.
 */
import { chunk, reads, tail, textAnswer, time, translateOnce } from './translation-timing.js'

const quick = process.env.BENCH_QUICK === '1'

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

function parseOnce(events) {
  let n = 0
  for (const e of events) {
    const data = e.slice(6, -2)
    if (data !== '[DONE]') n += JSON.parse(data).choices.length
  }
  return n
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
  const us = await time(() => translateOnce(parts), budget, quick ? 3 : 7)
  const parseUs = await time(() => parseOnce(events), budget, quick ? 3 : 7)
  lines.push(
    `| ${name} | ${events.length} | ${parts.length} | ${us.toFixed(1)} | ${(us / events.length).toFixed(2)} | ${(parseUs / events.length).toFixed(2)} | ${(us / parseUs).toFixed(2)} |`,
  )
}
process.stdout.write(
  `${lines.join('\n')}\n\nnode ${process.version}; best of ${quick ? 3 : 7} rounds of ${budget} ms each\n`,
)
