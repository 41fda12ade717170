/**
 * `npm run bench:load`: the session layer under load, from the built code in dist/. Three measurements, each
 * next to a baseline taken in the same run:
 *
 * 1. Fan-out: 1,000 WebSocket clients on 100 sessions; the delay from an event's persist (the store's clock,
 *    `performance` time, stamped as the row is written) to its arrival at each client. Events come from real
 *    session actors running turns (user_message, status, result, status: persisted, then broadcast through the
 *    real WebSocket layer); the one stand-in is the container, which streams a canned SDK answer at once, so the
 *    numbers are the persist-to-delivery path alone. Baseline: a bare `ws` server broadcasting a stamped frame
 *    to the same 100 x 10 clients.
 * 2. Concurrency: 32 sessions running turns at once through the real server (SANDBOX=none, real Claude Code,
 *    router, scripted upstream that answers at once): turns/s, errors, peak RSS of the server and every sandbox
 *    and Claude Code process (from /proc). Baseline: the same turns one session at a time.
 * 3. Sleeping sessions: start-up time (spawn to "listening") and idle RSS of `agent-router start` on a database
 *    with 10,000 sessions (5 events each) vs an empty one. Goal: flat.
 *
 * Env: BENCH_CLIENTS (1000), BENCH_SESSIONS (100), BENCH_TURNS (20), BENCH_INTERVAL_MS (250: one turn per
 * session this often), BENCH_CONCURRENT (32), BENCH_SLEEPING (10000), BENCH_STARTS (3).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket, { WebSocketServer } from 'ws'

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000)
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 100)
const TURNS = Number(process.env.BENCH_TURNS ?? 20)
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 32)
const SLEEPING = Number(process.env.BENCH_SLEEPING ?? 10_000)
const STARTS = Number(process.env.BENCH_STARTS ?? 3)
/** Each session starts a turn this often (with a random phase), so the delay is measured at a steady rate. */
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 250)
const MODEL = 'groq/bench-model'

const dist = new URL('../dist/', import.meta.url)
const load = (path) => import(new URL(path, dist).href)
const { loadServerConfig } = await load('config/config.js')
const { startServer } = await load('server/start.js')
const { SqliteSessionStore } = await load('store/sqlite-store.js')
const { AgentService } = await load('agent/agent-service.js')
const { attachWebSocket } = await load('server/websocket.js')
const { createLogger } = await load('server/logger.js')
const CLI = new URL('cli.js', dist).pathname

const clock = () => performance.timeOrigin + performance.now()
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const silent = createLogger({ level: 'silent', secrets: () => [] })

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b)
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) }
}

const ms = (v) => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : 'n/a')
const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`

function rssKb(pid) {
  try {
    const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) : 0
  } catch {
    return 0
  }
}

function descendants(root) {
  const children = new Map()
  for (const name of readdirSync('/proc')) {
    const pid = Number(name)
    if (!Number.isInteger(pid)) continue
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      children.set(parent, [...(children.get(parent) ?? []), pid])
    } catch {
      // gone
    }
  }
  const out = []
  const queue = [root]
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()) ?? []) {
      out.push(child)
      queue.push(child)
    }
  }
  return out
}

/** Opens `perSession` clients on each session path of `url`; resolves once all have their first frame. */
async function openClients(url, sessions, perSession, onFrame) {
  const sockets = []
  for (let s = 0; s < sessions; s++) {
    for (let c = 0; c < perSession; c++) {
      const socket = new WebSocket(`${url}/demo/ws/load-${s}`)
      sockets.push(socket)
      await new Promise((resolve, reject) => {
        socket.once('message', resolve)
        socket.once('error', reject)
      })
      socket.on('message', (data) => onFrame(data, clock()))
    }
  }
  return sockets
}

async function closeAll(sockets) {
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise((resolve) => {
          if (s.readyState === WebSocket.CLOSED) return resolve()
          s.once('close', resolve)
          s.close()
        }),
    ),
  )
}

// ---- 1. fan-out -------------------------------------------------------------------------------------------

/** The container stand-in: every run streams what Claude Code would for a one-line answer, at once. */
function instantContainers() {
  return {
    async ensure() {
      return {
        workspacePath: '/workspace',
        async *run(options) {
          yield { type: 'system', subtype: 'init', session_id: `claude-${options.sessionId}` }
          yield {
            type: 'assistant',
            message: { content: [{ type: 'text', text: `echo: ${options.prompt}` }] },
            parent_tool_use_id: null,
          }
          yield { type: 'result', subtype: 'success', is_error: false, result: `echo: ${options.prompt}` }
        },
        async respondPermission() {},
      }
    },
    info: () => ({ state: 'running', driver: 'bench', isolated: false, lastHeartbeat: undefined }),
    debug: async () => undefined,
    release: async () => {},
  }
}

async function fanOut() {
  const dir = mkdtempSync(join(tmpdir(), 'ar-bench-fanout-'))
  const store = new SqliteSessionStore(join(dir, 'agent-router.db'), clock)
  const agent = new AgentService({
    store,
    containers: instantContainers(),
    workspace: { snapshot: async () => new Map() },
    defaultModel: MODEL,
    permissionMode: 'bypassPermissions',
    logger: silent,
  })
  const server = createServer()
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const ws = attachWebSocket(server, { agent, authToken: undefined, logger: silent })
  const url = `ws://127.0.0.1:${server.address().port}`
  const delays = []
  let expected = 0
  let delivered = 0
  let allDelivered
  const sockets = await openClients(url, SESSIONS, CLIENTS / SESSIONS, (data, at) => {
    const event = JSON.parse(data.toString())
    if (event.seq === undefined) return
    delays.push(at - event.timestamp)
    if (++delivered === expected) allDelivered?.()
  })
  const perTurn = 4 // user_message, status running, result, status ended
  expected = SESSIONS * TURNS * perTurn * (CLIENTS / SESSIONS)
  const done = new Promise((resolve) => {
    allDelivered = resolve
  })
  const started = clock()
  await Promise.all(
    Array.from({ length: SESSIONS }, async (_, s) => {
      const actor = agent.session(`load-${s}`)
      await sleep(Math.random() * INTERVAL_MS)
      for (let t = 0; t < TURNS; t++) await Promise.all([actor.submit(`turn ${t}`), sleep(INTERVAL_MS)])
    }),
  )
  await Promise.race([done, sleep(60_000)])
  const seconds = (clock() - started) / 1000
  await closeAll(sockets)
  ws.close()
  await new Promise((r) => server.close(r))
  store.close()
  rmSync(dir, { recursive: true, force: true })
  return { ...summary(delays), expected, eventsPerSecond: (SESSIONS * TURNS * perTurn) / seconds }
}

/** The same clients on a bare `ws` server that broadcasts stamped frames to each session's clients. */
async function fanOutBaseline() {
  const server = createServer()
  const wss = new WebSocketServer({ server })
  const groups = new Map()
  wss.on('connection', (socket, req) => {
    const id = req.url ?? ''
    groups.set(id, [...(groups.get(id) ?? []), socket])
    socket.send(JSON.stringify({ type: 'status' }))
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const url = `ws://127.0.0.1:${server.address().port}`
  const delays = []
  const sockets = await openClients(url, SESSIONS, CLIENTS / SESSIONS, (data, at) => {
    const event = JSON.parse(data.toString())
    if (event.seq !== undefined) delays.push(at - event.timestamp)
  })
  let seq = 0
  // Same number of frames per session, sent from each session's own async loop like the actors' turns.
  await Promise.all(
    [...groups.values()].map(async (group) => {
      await sleep(Math.random() * INTERVAL_MS)
      for (let t = 0; t < TURNS; t++) {
        const paced = sleep(INTERVAL_MS)
        for (let i = 0; i < 4; i++) {
          const frame = JSON.stringify({
            type: 'result',
            content: `echo ${i}`,
            seq: ++seq,
            timestamp: clock(),
          })
          for (const socket of group) socket.send(frame)
          await new Promise((r) => setImmediate(r))
        }
        await paced
      }
    }),
  )
  await sleep(1000)
  await closeAll(sockets)
  wss.close()
  await new Promise((r) => server.close(r))
  return summary(delays)
}

// ---- 2. concurrent turns ----------------------------------------------------------------------------------

/** An OpenAI-compatible upstream that answers every chat completion with "OK." at once. */
async function startUpstream() {
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => {
      const parsed = JSON.parse(body || '{}')
      const base = { id: 'chatcmpl-bench', created: 0, model: parsed.model }
      const usage = { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 }
      if (parsed.stream !== true) {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(
          JSON.stringify({
            ...base,
            object: 'chat.completion',
            choices: [{ index: 0, message: { role: 'assistant', content: 'OK.' }, finish_reason: 'stop' }],
            usage,
          }),
        )
        return
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      const chunk = (choices, extra = {}) =>
        res.write(
          `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices, ...extra })}\n\n`,
        )
      chunk([{ index: 0, delta: { role: 'assistant', content: 'OK.' }, finish_reason: null }])
      chunk([{ index: 0, delta: {}, finish_reason: 'stop' }])
      chunk([], { usage })
      res.end('data: [DONE]\n\n')
    })
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  return { server, base: `http://127.0.0.1:${server.address().port}/v1` }
}

function routerConfig(dir, base) {
  const file = join(dir, 'litellm_config.yaml')
  writeFileSync(
    file,
    `model_list:\n  - model_name: groq/*\n    litellm_params: {model: groq/*, api_base: ${base}, api_key: os.environ/GROQ_API_KEY}\n`,
  )
  return file
}

async function concurrentTurns() {
  const dir = mkdtempSync(join(tmpdir(), 'ar-bench-turns-'))
  const upstream = await startUpstream()
  const config = loadServerConfig(
    {
      DATA_DIR: join(dir, 'data'),
      ROUTER_CONFIG: routerConfig(dir, upstream.base),
      PORT: '0',
      SANDBOX: 'none',
      GROQ_API_KEY: 'gsk_bench_load_key',
      MAX_INSTANCES: String(CONCURRENT),
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'silent',
    },
    dir,
  )
  const server = await startServer(config, { logger: silent })
  let peakKb = 0
  const sampler = setInterval(() => {
    const total = [process.pid, ...descendants(process.pid)].reduce((sum, pid) => sum + rssKb(pid), 0)
    peakKb = Math.max(peakKb, total)
  }, 250)
  let errors = 0
  let firstError
  const runTurn = async (session, message) => {
    try {
      const res = await fetch(`${server.url}/agent/message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId: session, message, model: MODEL }),
      })
      const body = await res.json()
      if (res.status !== 200 || body.result !== 'OK.')
        throw new Error(`${res.status} ${JSON.stringify(body)}`)
    } catch (err) {
      errors++
      firstError ??= String(err).slice(0, 200)
    }
  }
  const sessions = Array.from({ length: CONCURRENT }, (_, i) => `busy-${i}`)
  // Start every container (and its Claude Code) first: the measured turns are warm.
  const coldStart = clock()
  await Promise.all(sessions.map((s) => runTurn(s, 'warm up')))
  const coldSeconds = (clock() - coldStart) / 1000
  const turnsEach = 3
  const started = clock()
  await Promise.all(
    sessions.map(async (s) => {
      for (let t = 0; t < turnsEach; t++) await runTurn(s, `turn ${t}`)
    }),
  )
  const seconds = (clock() - started) / 1000
  // Baseline: the same number of warm turns, one session at a time.
  const serialTurns = 6
  const serialStart = clock()
  for (let t = 0; t < serialTurns; t++) await runTurn(sessions[0], `serial ${t}`)
  const serialSeconds = (clock() - serialStart) / 1000
  const idleKb = [process.pid, ...descendants(process.pid)].reduce((sum, pid) => sum + rssKb(pid), 0)
  const processes = descendants(process.pid).length
  clearInterval(sampler)
  await server.close()
  upstream.server.closeAllConnections()
  await new Promise((r) => upstream.server.close(r))
  rmSync(dir, { recursive: true, force: true })
  return {
    turns: CONCURRENT * turnsEach,
    turnsPerSecond: (CONCURRENT * turnsEach) / seconds,
    serialTurnsPerSecond: serialTurns / serialSeconds,
    coldSeconds,
    errors,
    firstError,
    peakKb,
    idleKb,
    processes,
  }
}

// ---- 3. sleeping sessions ---------------------------------------------------------------------------------

function fillDatabase(dataDir, sessions) {
  const store = new SqliteSessionStore(join(dataDir, 'agent-router.db'))
  // One transaction for the lot (better-sqlite3 nests the store's own as savepoints).
  store.database.transaction(() => {
    for (let i = 0; i < sessions; i++) {
      const id = `sleeping-${i}`
      store.ensureSession(id)
      store.updateSession(id, { title: `sleeping session ${i}`, preferredModel: MODEL })
      store.appendEvent(id, { type: 'user_message', content: `hello ${i}`, data: { model: MODEL } })
      store.appendEvent(id, { type: 'status', data: { isRunning: true, model: MODEL } })
      store.appendEvent(id, { type: 'result', content: `answer ${i} `.repeat(20) })
      store.appendEvent(id, { type: 'status', data: { isRunning: false, model: MODEL } })
      store.appendEvent(id, { type: 'file_change', content: 'Created: a.txt', data: { path: 'a.txt' } })
    }
  })()
  store.close()
}

/** Spawns `agent-router start`; spawn-to-listening time and its RSS after a second of idling. */
async function startOnce(dataDir, configFile) {
  const started = clock()
  const child = spawn(process.execPath, [CLI, 'start'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      DATA_DIR: dataDir,
      ROUTER_CONFIG: configFile,
      SANDBOX: 'none',
      GROQ_API_KEY: 'gsk_bench_load_key',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start in 60 s: ${output}`)), 60_000)
    const onData = (chunk) => {
      output += chunk
      const match = /"url":"(http:\/\/[^"]+)"[^\n]*agent-router listening/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
  })
  const startMs = clock() - started
  await sleep(1000)
  const idleKb = rssKb(child.pid)
  // The first request that touches one session (its history): cost of waking one sleeping session.
  const first = clock()
  await (await fetch(`${url}/agent/sessions/sleeping-1/events`)).json()
  const wakeMs = clock() - first
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await exited
  return { startMs, idleKb, wakeMs }
}

async function sleepingSessions() {
  const dir = mkdtempSync(join(tmpdir(), 'ar-bench-sleep-'))
  const configFile = routerConfig(dir, 'http://127.0.0.1:9/v1')
  const empty = join(dir, 'empty')
  const full = join(dir, 'full')
  const fillStart = clock()
  fillDatabase(full, SLEEPING)
  const fillSeconds = (clock() - fillStart) / 1000
  new SqliteSessionStore(join(empty, 'agent-router.db')).close()
  const runs = { empty: [], full: [] }
  for (let i = 0; i < STARTS; i++) {
    runs.empty.push(await startOnce(empty, configFile))
    runs.full.push(await startOnce(full, configFile))
  }
  rmSync(dir, { recursive: true, force: true })
  const median = (list, key) => summary(list.map((r) => r[key])).p50
  return {
    fillSeconds,
    empty: { startMs: median(runs.empty, 'startMs'), idleKb: median(runs.empty, 'idleKb') },
    full: {
      startMs: median(runs.full, 'startMs'),
      idleKb: median(runs.full, 'idleKb'),
      wakeMs: median(runs.full, 'wakeMs'),
    },
  }
}

// ---- run --------------------------------------------------------------------------------------------------

const rows = []
const row = (measure, value, baseline, ratio) => rows.push({ measure, value, baseline, ratio })
const ratio = (a, b) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : '')

console.info(
  `1/3 fan-out: ${CLIENTS} clients on ${SESSIONS} sessions, ${TURNS} turns each, one per ${INTERVAL_MS} ms …`,
)
const base = await fanOutBaseline()
const fan = await fanOut()
row(
  `persist -> delivery p50 (${fan.n}/${fan.expected} deliveries)`,
  ms(fan.p50),
  `${ms(base.p50)} bare ws`,
  ratio(fan.p50, base.p50),
)
row('persist -> delivery p99', ms(fan.p99), `${ms(base.p99)} bare ws`, ratio(fan.p99, base.p99))
row('persist -> delivery max', ms(fan.max), `${ms(base.max)} bare ws`, '')
row(`events persisted per second (${SESSIONS} sessions)`, fan.eventsPerSecond.toFixed(0), '', '')

console.info(`2/3 concurrency: ${CONCURRENT} sessions running turns at once (real Claude Code) …`)
const busy = await concurrentTurns()
row(
  `turns/s, ${CONCURRENT} sessions at once (${busy.turns} warm turns)`,
  busy.turnsPerSecond.toFixed(2),
  `${busy.serialTurnsPerSecond.toFixed(2)} one at a time`,
  ratio(busy.turnsPerSecond, busy.serialTurnsPerSecond),
)
row('errors', String(busy.errors), '0 (goal)', busy.firstError ?? '')
row(`cold start of ${CONCURRENT} sessions at once`, `${busy.coldSeconds.toFixed(1)} s`, '', '')
row(
  `peak RSS, server + ${busy.processes} sandbox/CLI processes`,
  mb(busy.peakKb),
  '',
  `${mb(busy.peakKb / CONCURRENT)} per session`,
)

console.info(`3/3 sleeping sessions: start-up with ${SLEEPING} sessions vs empty, median of ${STARTS} …`)
const sleeping = await sleepingSessions()
row(
  `start-up (spawn -> listening), ${SLEEPING} sessions`,
  ms(sleeping.full.startMs),
  `${ms(sleeping.empty.startMs)} empty DB`,
  ratio(sleeping.full.startMs, sleeping.empty.startMs),
)
row(
  `idle RSS after start, ${SLEEPING} sessions`,
  mb(sleeping.full.idleKb),
  `${mb(sleeping.empty.idleKb)} empty DB`,
  ratio(sleeping.full.idleKb, sleeping.empty.idleKb),
)
row('first read of one sleeping session', ms(sleeping.full.wakeMs), '', '')
row(`(database fill: ${SLEEPING} sessions x 5 events)`, `${sleeping.fillSeconds.toFixed(1)} s`, '', '')

console.table(rows)
process.exit(0)
