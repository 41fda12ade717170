/**
 * `npm run bench:router-ab -- <dist>`: this build's router (`dist/`) and another build of it (`<dist>`, the
 * output folder of `tsc -p tsconfig.build.json` in a checkout of the other commit, with this checkout's
 * `node_modules` linked into it) side by side on one scripted upstream, at concurrency 1, on the four rows of
 * `bench:router`. Each round, the upstream directly and both routers take turns (their order alternating),
 * each answering 200 requests unmeasured and then ROUND_REQUESTS measured; per row it prints each router's
 * added p50 and CPU a request (medians over the rounds) and the median of the rounds' differences. A drift of
 * the machine touches both routers alike, so the difference says what a change did where the added latency
 * alone moves by 0.1-0.2 ms between runs (bench/README.md, "Answers as records").
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runLoad } from './load.js'
import { start, treeCpuSeconds, waitHttp } from './processes.js'
import { chatBody, listening, messagesBody, upstreamAndConfig } from './router-requests.js'

const here = dirname(fileURLToPath(import.meta.url))
const other = process.argv[2]
if (!other) {
  process.stderr.write('usage: npm run bench:router-ab -- <the other build’s dist folder>\n')
  process.exit(2)
}
const quick = process.env.BENCH_QUICK === '1'
const ROUNDS = quick ? 3 : 7
const ROUND_REQUESTS = quick ? 200 : 1000
const WARMUP = quick ? 500 : 3000

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const fmt = (n, digits = 3) => n.toFixed(digits)

async function main() {
  const { up, config } = await upstreamAndConfig('bench-router-ab-')
  const serve = (name, dist) =>
    start(name, [join(here, 'serve-router.js'), config, '0', ...(dist ? [dist] : [])], {}, listening)
  const routers = { other: await serve('other build', other), this: await serve('this build') }
  for (const r of Object.values(routers)) await waitHttp(`http://127.0.0.1:${r.port}/health`)

  const rows = [
    ['chat completions, streamed', 'chat', true],
    ['chat completions, whole', 'chat', false],
    ['Messages -> OpenAI, streamed', 'messages', true],
    ['Messages -> OpenAI, whole', 'messages', false],
  ]
  const target = (name, path, stream) => {
    if (name === 'direct')
      return {
        url: `${up}/v1/chat/completions`,
        headers: { authorization: 'Bearer bench-key' },
        body: chatBody(stream),
      }
    const { port, child } = routers[name]
    return path === 'chat'
      ? {
          url: `http://127.0.0.1:${port}/v1/chat/completions`,
          headers: {},
          body: chatBody(stream),
          pid: child.pid,
        }
      : {
          url: `http://127.0.0.1:${port}/v1/messages`,
          headers: { 'anthropic-version': '2023-06-01' },
          body: messagesBody(stream),
          pid: child.pid,
        }
  }

  for (const [, path, stream] of rows)
    for (const name of ['direct', 'other', 'this'])
      await runLoad({ ...target(name, path, stream), concurrency: 1, requests: WARMUP })

  const results = rows.map(() => ({ direct: [], other: [], this: [] }))
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, [, path, stream]] of rows.entries()) {
      const order = round % 2 === 0 ? ['direct', 'other', 'this'] : ['direct', 'this', 'other']
      for (const name of order) {
        const t = target(name, path, stream)
        await runLoad({ ...t, concurrency: 1, requests: 200 })
        const before = t.pid ? treeCpuSeconds(t.pid) : 0
        const run = await runLoad({ ...t, concurrency: 1, requests: ROUND_REQUESTS })
        const cpuUs = t.pid ? ((treeCpuSeconds(t.pid) - before) * 1e6) / ROUND_REQUESTS : 0
        results[i][name].push({ p50: run.p50, cpuUs })
      }
    }
    process.stderr.write('.')
  }

  const lines = [
    `| row | other build: added p50 ms | this build: added p50 ms | this - other, median of ${ROUNDS} rounds | CPU µs/req, other -> this |`,
    '|---|---|---|---|---|',
  ]
  for (const [i, [label]] of rows.entries()) {
    const { direct, other: a, this: b } = results[i]
    const added = (runs) => median(runs.map((r, k) => r.p50 - (direct[k]?.p50 ?? 0)))
    const diff = median(b.map((r, k) => r.p50 - (a[k]?.p50 ?? 0)))
    const cpu = (runs) => fmt(median(runs.map((r) => r.cpuUs)), 0)
    lines.push(
      `| ${label} | ${fmt(added(a))} | ${fmt(added(b))} | ${diff > 0 ? '+' : ''}${fmt(diff)} | ${cpu(a)} -> ${cpu(b)} |`,
    )
  }
  process.stdout.write(`\n${lines.join('\n')}\n\nnode ${process.version}, other build: ${other}\n`)
  process.exit(0)
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`)
  process.exit(1)
})
