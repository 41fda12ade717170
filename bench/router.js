/**
 * `npm run bench:router`: added latency and throughput of the model router against a direct call to the same
 * upstream, and against two peer gateways (`peers.js`: Portkey and claude-code-router, devDependencies on
 * loopback), in one run.
 *
 * Child processes — the scripted upstream (`upstream-server.js`), our router (`serve-router.js`: the router
 * served alone on `serveRouter` from `dist/`, so build first), the peers, and two bare proxies that do no
 * work (`minimal-proxy.js` on `node:http`, `socket-proxy.js` on `net` sockets: what any separate proxy
 * process pays here) — and this process as the load generator. Each is measured in turn, never at once. Rows:
 * the OpenAI chat-completions pass-through (all of them) and the Anthropic Messages -> OpenAI translation
 * (Portkey cannot serve it: ROUTER-CONFORMANCE / ROUTER-BENCH-PEERS), streaming and not, at concurrency 1, 16
 * and 64. "Added" is a target's p50/p99 minus the direct p50/p99 of the same row; throughput is requests per
 * second and its ratio to direct; CPU is per request, of the target's process tree. The concurrency-64 rows
 * are then measured again with every proxy on a core of its own (`taskset`: this process and the upstream on
 * CPU 0, the proxies on CPU 1), as proxies are usually benchmarked; sharing two cores, a proxy's throughput
 * mostly shows how the three processes split them. The streamed rows at concurrency 1 are also measured with
 * the upstream paced like a provider (`/paced/`: a write every 2 ms), ours, the stack alone and the bare proxy
 * against direct: at full speed the upstream sends all 44 events at once, so a translating proxy's time to the last byte includes the time to
 * translate all of them, measured last in this process (`translation-timing.js`). Then the goals of issue 14
 * met or not in this run (`router-goals.js`). Set BENCH_QUICK=1 for a short smoke run.
 */
import { execFileSync } from 'node:child_process'
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pooled, runLoad } from './load.js'
import { startClaudeCodeRouter, startPortkey } from './peers.js'
import { pinTree, start, treeCpuSeconds, waitHttp } from './processes.js'
import { goalsReport } from './router-goals.js'
import { chatBody, listening, messagesBody, upstreamAndConfig } from './router-requests.js'
import { reads, textAnswer, time, translateOnce } from './translation-timing.js'

const here = dirname(fileURLToPath(import.meta.url))
const quick = process.env.BENCH_QUICK === '1'
const CONCURRENCY = [1, 16, 64]
const PINNED_CONCURRENCY = 64
/** The rounds a concurrency-1 row is measured in (its requests split between them). */
const ROUNDS_AT_ONE = 5
const REQUESTS = quick ? { 1: 200, 16: 800, 64: 1600 } : { 1: 1000, 16: 3000, 64: 6000 }
/** Requests per target on the paced rows (about 10 ms each: the upstream writes every 2 ms). */
const PACED_REQUESTS = quick ? 40 : 400
/**
 * Every target is warmed up on each row before it is measured: until WARMUP.requests answers or
 * WARMUP.seconds have passed. The router's JIT is still compiling for its first ~2,500 requests of a kind
 * (`--trace-opt`), and on two cores that background work shows up as 3-7 ms stalls in 5-15% of requests;
 * a router in service is past it.
 */
const WARMUP = quick ? { requests: 100, seconds: 1 } : { requests: 3000, seconds: 4 }
/**
 * Before each later round at concurrency 1, a target answers requests unmeasured again (up to REWARM.requests
 * or REWARM.seconds), so that every round measures a target that has just been answering, as the first does
 * after its warm-up. Between its rounds it sits idle while the others take their turns (seconds, behind
 * Portkey's 28 ms answers), and a Node process idle for ~9 s answered its next few hundred requests ~0.1 ms
 * slower (after 100 requests still, not after 1,000; bench/README.md, "Answers as records").
 */
const REWARM = quick ? { requests: 20, seconds: 0.2 } : { requests: 1000, seconds: 1 }

async function warmUp(load, budget = WARMUP) {
  const until = performance.now() + budget.seconds * 1000
  for (let done = 0; done < budget.requests && performance.now() < until; done += 250)
    await runLoad({ ...load, requests: Math.min(250, budget.requests) })
}

/**
 * On two cores the load generator, the upstream and a proxy share both, so a proxy keeps about
 * `(L + U) / (L + U + P)` of direct throughput whatever it does; the usual way to benchmark a proxy is to give
 * it a core of its own. `true`, or why that cannot be done here.
 */
function canPin() {
  if (cpus().length < 2) return 'fewer than two CPUs'
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' })
    return true
  } catch {
    return 'no taskset (util-linux)'
  }
}

function fmt(n, digits = 2) {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a'
}

/** A row's first two cells: what is proxied, and whether it streams. */
function rowLabel(r) {
  return `${r.path === 'chat' ? 'chat completions pass-through' : 'Messages -> OpenAI translation'} | ${r.stream ? 'yes' : 'no'}`
}

/** A target's requests per second and its share of direct's. */
function throughput(x, direct) {
  return `${fmt(x.rps, 0)} (${fmt((100 * x.rps) / direct.rps, 0)}%)`
}

/** The targets measured next to direct, in the tables' order; `short` names a column after the first. */
const COLUMNS = [
  { key: 'ours', name: 'ours' },
  { key: 'portkey', name: 'Portkey' },
  { key: 'ccr', name: 'claude-code-router' },
  { key: 'floor', name: 'bare node:http proxy', short: 'its' },
  { key: 'stack', name: 'Hono + undici proxy (our stack, no router)', short: 'its' },
  { key: 'socket', name: 'bare socket proxy', short: 'its' },
]

async function main() {
  const { upstream, up, config, dir } = await upstreamAndConfig('bench-router-')
  const ours = await start('router', [join(here, 'serve-router.js'), config, '0'], {}, listening)
  const oursPort = ours.port
  const proxy = (name, file) => start(name, [join(here, file), String(upstream.port)], {}, listening)
  const floor = await proxy('minimal proxy', 'minimal-proxy.js')
  const socketFloor = await proxy('socket proxy', 'socket-proxy.js')
  const stack = await proxy('stack proxy', 'stack-proxy.js')
  await waitHttp(`http://127.0.0.1:${oursPort}/health`)

  // The peers, each on a port of its own; a peer's target on a path is a string where it cannot serve it.
  const peers = { portkey: await startPortkey(up), ccr: await startClaudeCodeRouter(up, dir) }
  const peerTarget = (key, path) => {
    const t = peers[key].targets[path]
    return typeof t === 'string' ? {} : { [key]: t }
  }

  const pids = {
    ours: ours.child.pid,
    portkey: peers.portkey.child.pid,
    ccr: peers.ccr.child.pid,
    floor: floor.child.pid,
    stack: stack.child.pid,
    socket: socketFloor.child.pid,
  }
  const targets = {
    chat: {
      direct: { url: `${up}/v1/chat/completions`, headers: { authorization: 'Bearer bench-key' } },
      ours: { url: `http://127.0.0.1:${oursPort}/v1/chat/completions`, headers: {} },
      ...peerTarget('portkey', 'chat'),
      ...peerTarget('ccr', 'chat'),
      floor: { url: `http://127.0.0.1:${floor.port}/`, headers: {} },
      stack: { url: `http://127.0.0.1:${stack.port}/`, headers: {} },
      socket: { url: `http://127.0.0.1:${socketFloor.port}/`, headers: {} },
    },
    messages: {
      // The translation's baseline is the upstream call the router makes for it.
      direct: {
        url: `${up}/v1/chat/completions`,
        headers: { authorization: 'Bearer bench-key' },
        chat: true,
      },
      ours: {
        url: `http://127.0.0.1:${oursPort}/v1/messages`,
        headers: { 'anthropic-version': '2023-06-01' },
      },
      ...peerTarget('portkey', 'messages'),
      ...peerTarget('ccr', 'messages'),
      // The bare proxy cannot translate: it forwards the chat body, for the cost of the extra hop alone.
      floor: { url: `http://127.0.0.1:${floor.port}/`, headers: {}, chat: true },
      stack: { url: `http://127.0.0.1:${stack.port}/`, headers: {}, chat: true },
      socket: { url: `http://127.0.0.1:${socketFloor.port}/`, headers: {}, chat: true },
    },
  }

  const loadOf = (path, stream, t, concurrency) => {
    const body = path === 'chat' || t.chat ? chatBody(stream, t.model) : messagesBody(stream)
    return { url: t.url, headers: t.headers, body, concurrency }
  }

  // Every target answers every kind of request before the first row: V8 compiles a process's code over its
  // first few thousand requests, and again where a new kind of request reaches code another kind compiled.
  // The first row used to measure a router still compiling (bench/README.md, "Answers as records").
  for (const path of ['chat', 'messages'])
    for (const stream of [true, false])
      for (const t of Object.values(targets[path])) await warmUp(loadOf(path, stream, t, 1))

  /**
   * Every target on one row, each warmed up, then measured in turn; at concurrency 1 in ROUNDS_AT_ONE rounds,
   * the targets taking turns, so a drift of the machine's wake-up latency over the row touches them all alike.
   */
  const measure = async (path, stream, concurrency) => {
    const rounds = concurrency === 1 ? ROUNDS_AT_ONE : 1
    const requests = REQUESTS[concurrency] / rounds
    const runs = {}
    const cpu = {}
    for (let round = 0; round < rounds; round++) {
      for (const [name, t] of Object.entries(targets[path])) {
        const load = loadOf(path, stream, t, concurrency)
        if (round === 0) await warmUp(load)
        else await warmUp(load, REWARM)
        const pid = pids[name]
        const cpuBefore = treeCpuSeconds(pid)
        const run = await runLoad({ ...load, requests })
        cpu[name] = (cpu[name] ?? 0) + treeCpuSeconds(pid) - cpuBefore
        runs[name] = [...(runs[name] ?? []), ...run.samples]
      }
    }
    const result = {}
    for (const name of Object.keys(runs)) {
      result[name] = pooled(runs[name])
      result[name].cpuUs = (cpu[name] * 1e6) / REQUESTS[concurrency]
      if (result[name].errors > 0)
        process.stderr.write(`${path} ${name}: ${result[name].errors} errors (${result[name].firstError})\n`)
    }
    process.stderr.write('.')
    return { path, stream, concurrency, ...result }
  }

  const rows = []
  for (const path of ['chat', 'messages'])
    for (const stream of [true, false])
      for (const concurrency of CONCURRENCY) rows.push(await measure(path, stream, concurrency))

  // Streamed at concurrency 1 with the upstream paced like a provider: ours, the stack alone and the bare
  // proxy against direct.
  const pacedRows = []
  const paced = (url) => new URL('/paced/v1/chat/completions', url).href
  for (const path of ['chat', 'messages']) {
    const result = {}
    for (const name of ['direct', 'ours', 'stack', 'floor']) {
      const t = targets[path][name]
      const url = name === 'ours' ? t.url : paced(t.url)
      const body =
        path === 'chat' || t.chat ? chatBody(true, 'paced/gpt-bench') : messagesBody(true, 'paced/gpt-bench')
      const load = { url, headers: t.headers, body, concurrency: 1 }
      await runLoad({ ...load, requests: PACED_REQUESTS / 4 })
      const pid = pids[name]
      const cpuBefore = pid ? treeCpuSeconds(pid) : 0
      result[name] = await runLoad({ ...load, requests: PACED_REQUESTS })
      if (pid) result[name].cpuUs = ((treeCpuSeconds(pid) - cpuBefore) * 1e6) / PACED_REQUESTS
    }
    process.stderr.write('.')
    pacedRows.push({ path, stream: true, concurrency: 1, ...result })
  }

  // The same rows at the highest concurrency again, each proxy on a core of its own: the load generator
  // and the upstream on CPU 0, the proxies on CPU 1.
  const pinnedRows = []
  const pinning = canPin()
  if (pinning === true) {
    pinTree(process.pid, 0)
    pinTree(upstream.child.pid, 0)
    for (const pid of Object.values(pids)) pinTree(pid, 1)
    for (const path of ['chat', 'messages'])
      for (const stream of [true, false]) pinnedRows.push(await measure(path, stream, PINNED_CONCURRENCY))
  }
  process.stderr.write('\n')

  const missing = (r, key) => peers[key]?.targets[r.path] ?? 'n/a'
  const lines = [
    `| path | stream | conc | direct p50 / p99 ms | direct req/s | ${COLUMNS.map((c) => `${c.name} added p50 / p99 ms | ${c.short ?? c.name} req/s (of direct) | ${c.short ?? c.name} CPU µs/req`).join(' | ')} |`,
    `|---|---|---|---|---|${COLUMNS.map(() => '---|---|---|').join('')}`,
  ]
  for (const r of rows) {
    const d = r.direct
    const cells = COLUMNS.map(({ key }) => {
      const x = r[key]
      if (!x) return `${missing(r, key)} | - | -`
      return `${fmt(x.p50 - d.p50)} / ${fmt(x.p99 - d.p99)} | ${throughput(x, d)} | ${fmt(x.cpuUs, 0)}`
    })
    lines.push(
      `| ${rowLabel(r)} | ${r.concurrency} | ${fmt(d.p50)} / ${fmt(d.p99)} | ${fmt(d.rps, 0)} | ${cells.join(' | ')} |`,
    )
  }
  process.stdout.write(`${lines.join('\n')}\n`)

  process.stdout.write(
    `\nConcurrency ${PINNED_CONCURRENCY}, each proxy on its own core (load generator and upstream on CPU 0, the proxy on CPU 1):\n\n`,
  )
  if (pinning !== true) process.stdout.write(`not measured: ${pinning}\n`)
  else {
    const pinnedLines = [
      `| path | stream | direct req/s | ${COLUMNS.map((c) => `${c.name} req/s (of direct) | ${c.short ?? c.name} CPU µs/req`).join(' | ')} |`,
      `|---|---|---|${COLUMNS.map(() => '---|---|').join('')}`,
    ]
    for (const r of pinnedRows) {
      const cells = COLUMNS.map(({ key }) =>
        r[key] ? `${throughput(r[key], r.direct)} | ${fmt(r[key].cpuUs, 0)}` : 'unsupported | -',
      )
      pinnedLines.push(`| ${rowLabel(r)} | ${fmt(r.direct.rps, 0)} | ${cells.join(' | ')} |`)
    }
    process.stdout.write(`${pinnedLines.join('\n')}\n`)
  }

  process.stdout.write(
    '\nStreamed at concurrency 1 with the upstream paced like a provider (a write of 8 events every 2 ms):\n\n',
  )
  const pacedLines = [
    '| path | direct p50 ms | ours added p50 ms (to the first byte) | ours CPU µs/req | the stack alone added p50 ms | its CPU µs/req | bare node:http proxy added p50 ms | its CPU µs/req |',
    '|---|---|---|---|---|---|---|---|',
  ]
  for (const r of pacedRows) {
    const added = (x) => fmt(x.p50 - r.direct.p50)
    pacedLines.push(
      `| ${rowLabel(r).split(' | ')[0]} | ${fmt(r.direct.p50)} | ${added(r.ours)} (${fmt(r.ours.firstByteP50 - r.direct.firstByteP50)}) | ${fmt(r.ours.cpuUs, 0)} | ${added(r.stack)} | ${fmt(r.stack.cpuUs, 0)} | ${added(r.floor)} | ${fmt(r.floor.cpuUs, 0)} |`,
    )
  }
  process.stdout.write(`${pacedLines.join('\n')}\n`)

  // The stream of the translation rows (the same 44 events), translated in this process as one read: what the
  // router does on the critical path of a streamed translation row at concurrency 1.
  const upstreamStream = reads(textAnswer(), { perRead: 1000 })
  const translationUs = await time(() => translateOnce(upstreamStream), quick ? 50 : 300, quick ? 3 : 7)

  const report = goalsReport({
    rows,
    pinnedRows,
    translationUs,
    pinning,
    peers: COLUMNS.filter((c) => c.key in peers),
    rowLabel,
  })
  process.stdout.write(`\nGoals (issue 14), this run:\n\n${report}\n`)
  process.stdout.write(
    `\nnode ${process.version}, ${cpus().length} CPUs, requests per row: ${JSON.stringify(REQUESTS)}, warm-up per target and row: ${WARMUP.requests} requests or ${WARMUP.seconds} s\n`,
  )
  process.exit(0)
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`)
  process.exit(1)
})
