/**
 * `npm run bench:router`: added latency and throughput of the model router against a direct call to the same
 * upstream, and against the Portkey gateway (`@portkey-ai/gateway`, a devDependency, on loopback), in one run.
 *
 * Child processes — the scripted upstream (`upstream-server.js`), our router (`serve-router.js`: the router
 * served alone on `serveRouter` from `dist/`, so build first), Portkey, and two bare proxies that do no
 * work (`minimal-proxy.js` on `node:http`, `socket-proxy.js` on `net` sockets: what any separate proxy
 * process pays here) — and this process as the load generator. Each is measured in turn, never at once. Rows: the OpenAI
 * chat-completions pass-through (all three) and the Anthropic Messages -> OpenAI translation (Portkey cannot
 * serve it: ROUTER-CONFORMANCE / ROUTER-BENCH-PEERS), streaming and not, at concurrency 1, 16 and 64.
 * "Added" is the router's p50/p99 minus the direct p50/p99 of the same row; throughput is requests per
 * second and its ratio to direct. The concurrency-64 rows are then measured again with every proxy on a core
 * of its own (`taskset`: this process and the upstream on CPU 0, the proxies on CPU 1), as proxies are
 * usually benchmarked; sharing two cores, a proxy's throughput mostly shows how the three processes split
 * them. Set BENCH_QUICK=1 for a short smoke run.
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runLoad } from './load.js'

const here = dirname(fileURLToPath(import.meta.url))
const quick = process.env.BENCH_QUICK === '1'
const CONCURRENCY = [1, 16, 64]
const PINNED_CONCURRENCY = 64
const REQUESTS = quick ? { 1: 200, 16: 800, 64: 1600 } : { 1: 1000, 16: 3000, 64: 6000 }
/**
 * Every target is warmed up on each row before it is measured: until WARMUP.requests answers or
 * WARMUP.seconds have passed. The router's JIT is still compiling for its first ~2,500 requests of a kind
 * (`--trace-opt`), and on two cores that background work shows up as 3-7 ms stalls in 5-15% of requests;
 * a router in service is past it.
 */
const WARMUP = quick ? { requests: 100, seconds: 1 } : { requests: 3000, seconds: 4 }

async function warmUp(load) {
  const until = performance.now() + WARMUP.seconds * 1000
  for (let done = 0; done < WARMUP.requests && performance.now() < until; done += 250)
    await runLoad({ ...load, requests: 250 })
}

const children = []
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL')
})

/** A port nothing listens on now (Portkey takes a port number, not 0): the system's pick, released. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
}

function start(name, args, env, ready) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let out = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${out.slice(-500)}`)), 30_000)
    const onData = (d) => {
      out += d
      const port = ready(out)
      if (port !== undefined) {
        clearTimeout(timer)
        resolve({ child, port })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}: ${out.slice(-500)}`)))
  })
}

async function waitHttp(url) {
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(url)
      await res.arrayBuffer()
      return
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  throw new Error(`${url} never answered`)
}

const chatBody = (stream) =>
  JSON.stringify({
    model: 'bench/gpt-bench',
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
    max_tokens: 256,
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Say forty words.' },
    ],
  })

const messagesBody = (stream) =>
  JSON.stringify({
    model: 'bench/gpt-bench',
    stream,
    max_tokens: 256,
    system: [{ type: 'text', text: 'You are a helpful assistant.', cache_control: { type: 'ephemeral' } }],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Say forty words.' }] }],
    tools: [
      {
        name: 'Read',
        description: 'Read a file',
        input_schema: {
          type: 'object',
          properties: { file_path: { type: 'string' } },
          required: ['file_path'],
        },
      },
    ],
  })

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

/** Moves every thread of process `pid` onto CPU `cpu`. */
function pin(pid, cpu) {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' })
}

/** CPU seconds (user + system) a child process has used so far, from /proc (Linux). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}

function fmt(n, digits = 2) {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a'
}

/** A row's first two cells: what is proxied, and whether it streams. */
function rowLabel(r) {
  return `${r.path === 'chat' ? 'chat completions pass-through' : 'Messages -> OpenAI translation'} | ${r.stream ? 'yes' : 'no'}`
}

/** A target's requests per second and its share of direct's (`missing` when it was not measured). */
function throughput(x, direct, missing) {
  return x ? `${fmt(x.rps, 0)} (${fmt((100 * x.rps) / direct.rps, 0)}%)` : missing
}

async function main() {
  const upstream = await start('upstream', [join(here, 'upstream-server.js')], {}, (out) => {
    const m = /ready (\d+)/.exec(out)
    return m ? Number(m[1]) : undefined
  })
  const up = `http://127.0.0.1:${upstream.port}`

  const dir = mkdtempSync(join(tmpdir(), 'bench-router-'))
  const config = join(dir, 'router.yaml')
  writeFileSync(
    config,
    `model_list:\n  - model_name: bench/*\n    litellm_params: {model: hosted_vllm/*, api_base: ${up}/v1, api_key: bench-key}\n`,
  )
  /** The port a child prints as `listening <port>`. */
  const listening = (out) => {
    const m = /listening (\d+)/.exec(out)
    return m ? Number(m[1]) : undefined
  }
  const ours = await start('router', [join(here, 'serve-router.js'), config, '0'], {}, listening)
  const oursPort = ours.port
  const proxy = (name, file) => start(name, [join(here, file), String(upstream.port)], {}, listening)
  const floor = await proxy('minimal proxy', 'minimal-proxy.js')
  const socketFloor = await proxy('socket proxy', 'socket-proxy.js')
  await waitHttp(`http://127.0.0.1:${oursPort}/health`)

  const portkeyPort = await freePort()
  const require = createRequire(import.meta.url)
  const portkeyEntry = join(
    dirname(require.resolve('@portkey-ai/gateway/package.json')),
    'build/start-server.js',
  )
  const portkey = start(
    'portkey',
    ['--import', join(here, 'portkey-fetch-shim.js'), portkeyEntry, `--port=${portkeyPort}`, '--headless'],
    {},
    (out) => (/Ready for connections/.test(out) ? portkeyPort : undefined),
  )
  await portkey
  await waitHttp(`http://127.0.0.1:${portkeyPort}/`)

  const pids = {
    ours: ours.child.pid,
    portkey: (await portkey).child.pid,
    floor: floor.child.pid,
    socket: socketFloor.child.pid,
  }
  const portkeyHeaders = {
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': `${up}/v1`,
    authorization: 'Bearer bench-key',
  }
  const targets = {
    chat: {
      direct: { url: `${up}/v1/chat/completions`, headers: { authorization: 'Bearer bench-key' } },
      ours: { url: `http://127.0.0.1:${oursPort}/v1/chat/completions`, headers: {} },
      portkey: { url: `http://127.0.0.1:${portkeyPort}/v1/chat/completions`, headers: portkeyHeaders },
      floor: { url: `http://127.0.0.1:${floor.port}/`, headers: {} },
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
      // The bare proxy cannot translate: it forwards the chat body, for the cost of the extra hop alone.
      floor: { url: `http://127.0.0.1:${floor.port}/`, headers: {}, chat: true },
      socket: { url: `http://127.0.0.1:${socketFloor.port}/`, headers: {}, chat: true },
    },
  }

  /** Every target on one row, each warmed up and then measured in turn. */
  const measure = async (path, stream, concurrency) => {
    const result = {}
    for (const [name, t] of Object.entries(targets[path])) {
      const body = path === 'chat' || t.chat ? chatBody(stream) : messagesBody(stream)
      const load = { url: t.url, headers: t.headers, body, concurrency }
      await warmUp(load)
      const pid = pids[name]
      const cpuBefore = pid ? cpuSeconds(pid) : Number.NaN
      result[name] = await runLoad({ ...load, requests: REQUESTS[concurrency] })
      result[name].cpuUs = ((cpuSeconds(pid) - cpuBefore) * 1e6) / REQUESTS[concurrency]
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

  // The same rows at the highest concurrency again, each proxy on a core of its own: the load generator
  // and the upstream on CPU 0, the proxies on CPU 1.
  const pinnedRows = []
  const pinning = canPin()
  if (pinning === true) {
    pin(process.pid, 0)
    pin(upstream.child.pid, 0)
    for (const pid of Object.values(pids)) pin(pid, 1)
    for (const path of ['chat', 'messages'])
      for (const stream of [true, false]) pinnedRows.push(await measure(path, stream, PINNED_CONCURRENCY))
  }
  process.stderr.write('\n')

  const lines = [
    '| path | stream | conc | direct p50 / p99 ms | direct req/s | ours added p50 / p99 ms | ours req/s (of direct) | ours CPU µs/req | Portkey added p50 / p99 ms | Portkey req/s (of direct) | Portkey CPU µs/req | bare node:http proxy added p50 / p99 ms | its req/s (of direct) | its CPU µs/req | bare socket proxy added p50 / p99 ms | its req/s (of direct) | its CPU µs/req |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ]
  for (const r of rows) {
    const d = r.direct
    const cell = (x, missing = 'unsupported (no Messages -> OpenAI path)') =>
      x ? `${fmt(x.p50 - d.p50)} / ${fmt(x.p99 - d.p99)}` : missing
    const tput = (x) => throughput(x, d, '-')
    const cpu = (x) => (x ? fmt(x.cpuUs, 0) : '-')
    lines.push(
      `| ${rowLabel(r)} | ${r.concurrency} | ${fmt(d.p50)} / ${fmt(d.p99)} | ${fmt(d.rps, 0)} | ${cell(r.ours)} | ${tput(r.ours)} | ${cpu(r.ours)} | ${cell(r.portkey)} | ${tput(r.portkey)} | ${cpu(r.portkey)} | ${cell(r.floor, 'n/a')} | ${tput(r.floor)} | ${cpu(r.floor)} | ${cell(r.socket, 'n/a')} | ${tput(r.socket)} | ${cpu(r.socket)} |`,
    )
  }
  process.stdout.write(`${lines.join('\n')}\n`)

  process.stdout.write(
    `\nConcurrency ${PINNED_CONCURRENCY}, each proxy on its own core (load generator and upstream on CPU 0, the proxy on CPU 1):\n\n`,
  )
  if (pinning !== true) process.stdout.write(`not measured: ${pinning}\n`)
  else {
    const pinnedLines = [
      '| path | stream | direct req/s | ours req/s (of direct) | ours CPU µs/req | Portkey req/s (of direct) | bare node:http proxy req/s (of direct) | bare socket proxy req/s (of direct) |',
      '|---|---|---|---|---|---|---|---|',
    ]
    for (const r of pinnedRows) {
      const d = r.direct
      const tput = (x) => throughput(x, d, 'unsupported')
      pinnedLines.push(
        `| ${rowLabel(r)} | ${fmt(d.rps, 0)} | ${tput(r.ours)} | ${fmt(r.ours.cpuUs, 0)} | ${tput(r.portkey)} | ${tput(r.floor)} | ${tput(r.socket)} |`,
      )
    }
    process.stdout.write(`${pinnedLines.join('\n')}\n`)
  }
  process.stdout.write(
    `\nnode ${process.version}, ${cpus().length} CPUs, requests per row: ${JSON.stringify(REQUESTS)}, warm-up per target and row: ${WARMUP.requests} requests or ${WARMUP.seconds} s\n`,
  )
  for (const c of children) c.kill('SIGKILL')
  process.exit(0)
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`)
  process.exit(1)
})
