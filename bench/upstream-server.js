/**
 * The benchmark's scripted upstream: a minimal, fast OpenAI-compatible server (no parsing beyond draining the
 * body), so the baseline measures the network path and not a fixture's overhead. `POST …/chat/completions`
 * answers a fixed completion, as SSE (40 content deltas, a finish chunk, a usage chunk, `[DONE]`) when the
 * body asks for `"stream":true`, else as JSON. Under `/paced/…` a stream comes the way a fast provider sends
 * it, a write every `PACE_MS` (a provider's tokens arrive over time; at full speed all 43 events arrive at
 * once, and a translating proxy's time to the last byte is then the time to translate all of them). Run as a
 * child process: `node upstream-server.js`; it prints `ready <port>`.
 */
import { createServer } from 'node:http'

const ID = 'chatcmpl-bench'
const chunk = (delta, finish = null) =>
  `data: ${JSON.stringify({ id: ID, object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`

const words = Array.from({ length: 40 }, (_, i) => `w${i} `)
const SSE_PARTS = [
  chunk({ role: 'assistant', content: '' }),
  ...words.map((w) => chunk({ content: w })),
  chunk({}, 'stop'),
  `data: ${JSON.stringify({ id: ID, object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [], usage: { prompt_tokens: 25, completion_tokens: 40, total_tokens: 65 } })}\n\n`,
  'data: [DONE]\n\n',
].map((s) => Buffer.from(s))

const JSON_BODY = Buffer.from(
  JSON.stringify({
    id: ID,
    object: 'chat.completion',
    created: 1,
    model: 'bench-model',
    choices: [{ index: 0, message: { role: 'assistant', content: words.join('') }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 25, completion_tokens: 40, total_tokens: 65 },
  }),
)

/** Between two writes of a paced stream (8 events each: ~4,000 tokens/s, a fast provider). */
const PACE_MS = 2

const server = createServer((req, res) => {
  let body = ''
  req.setEncoding('utf8')
  req.on('data', (d) => {
    body += d
  })
  req.on('end', () => {
    if (body.includes('"stream":true')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      // Several writes, as a real provider streams (8 deltas per write).
      const writes = []
      for (let i = 0; i < SSE_PARTS.length; i += 8) writes.push(Buffer.concat(SSE_PARTS.slice(i, i + 8)))
      if (req.url.startsWith('/paced/')) {
        const next = () => {
          res.write(writes.shift())
          if (writes.length > 0) setTimeout(next, PACE_MS)
          else res.end()
        }
        next()
      } else {
        for (const w of writes) res.write(w)
        res.end()
      }
    } else {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': JSON_BODY.length })
      res.end(JSON_BODY)
    }
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`ready ${server.address().port}\n`)
})
