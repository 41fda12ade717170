/**
 * `npm run bench:sandbox`: what warm turns and the warm pool buy. Starts the real server in-process twice
 * (SANDBOX as set, by default `auto`: bwrap where it works, as the server runs by default; built code from
 * dist/), once with a warm pool (POOL_SIZE=1) and once without (POOL_SIZE=0), in front of a scripted
 * OpenAI-format upstream and, in one run, measures (median and p90 of BENCH_ITERATIONS, at least 10):
 *   (a) baseline: a fresh `query()` per turn (the seed's way), through the same router;
 *   (b) a warm follow-up turn in a session's container (`POST /agent/message`);
 *   (c) a new session's first turn taken from the warm pool (the pool refilled and idle before each);
 *   (d) a new session's first turn with no pool (sandbox start + Claude Code start);
 *   (e) waking a sleeping session (sandbox start + Claude Code start resuming its transcript);
 *   (f) resuming in an already running sandbox (a new Claude Code resuming the transcript): the least a wake
 *       that took a pool member could cost, since a booted Claude Code cannot take up another transcript;
 * plus the RSS of a pool member and of an awake session (their container process trees, from /proc).
 * Targets: warm <= 0.25 x baseline, pool first turn <= 0.3 x baseline, first turn with no pool <= 1.5 x.
 * BENCH_LOG=info shows the servers' logs (default: silent).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { query } from '@anthropic-ai/claude-agent-sdk'

const ITERATIONS = Math.max(10, Number(process.env.BENCH_ITERATIONS ?? 10))
const SANDBOX = process.env.SANDBOX ?? 'auto'
const MODEL = 'groq/bench-model'

const dist = new URL('../dist/', import.meta.url)
const { loadServerConfig } = await import(new URL('config/config.js', dist).href)
const { startServer } = await import(new URL('server/start.js', dist).href)
const { probeBwrap } = await import(new URL('sandbox/drivers/bwrap/index.js', dist).href)
const { createUnixSocketClient } = await import(new URL('sandbox/container-client.js', dist).href)
const { containerSocketPath } = await import(new URL('sandbox/host-socket.js', dist).href)
const driverName = SANDBOX === 'auto' ? (probeBwrap() === undefined ? 'bwrap' : 'none') : SANDBOX

/** The smallest OpenAI-compatible upstream: every chat completion streams "OK." */
function startUpstream() {
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => {
      const parsed = JSON.parse(body || '{}')
      const base = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 0, model: parsed.model }
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
      const send = (data) => res.write(`data: ${JSON.stringify(data)}\n\n`)
      send({
        ...base,
        choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
      })
      send({ ...base, choices: [{ index: 0, delta: { content: 'OK.' }, finish_reason: null }] })
      send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })
      send({ ...base, choices: [], usage })
      res.end('data: [DONE]\n\n')
    })
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** The nearest-rank 90th percentile. */
const p90 = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)]
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until `check()` is true (polling), or throws after `timeoutMs`. */
async function until(what, check, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

async function timed(fn) {
  const started = performance.now()
  await fn()
  return performance.now() - started
}

/** Pid -> parent pid for every process. */
function processTable() {
  const parents = new Map()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // gone
    }
  }
  return parents
}

function treeOf(root, parents) {
  const out = [root]
  for (let i = 0; i < out.length; i++)
    for (const [pid, parent] of parents) if (parent === out[i]) out.push(pid)
  return out
}

function rssKb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
  } catch {
    return 0
  }
}

/** RSS (MB) of every container process tree started by this process, keyed by container pid. */
function containerTrees() {
  const parents = processTable()
  const out = []
  for (const pid of treeOf(process.pid, parents)) {
    let cmdline = ''
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    } catch {
      continue
    }
    // The container server itself (under bwrap, bwrap's own command line names it too).
    if (!cmdline.startsWith(process.execPath) || !cmdline.includes('container/main.js')) continue
    const tree = treeOf(pid, parents)
    out.push({ pid, processes: tree.length, rssMb: tree.reduce((sum, p) => sum + rssKb(p), 0) / 1024 })
  }
  return out
}

/** One server of the bench, with its own data dir, reached over HTTP. */
async function benchServer(dir, name, routerConfig, extra) {
  const config = loadServerConfig({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: join(dir, name),
    PORT: '0',
    SANDBOX: SANDBOX,
    ROUTER_CONFIG: routerConfig,
    DEFAULT_MODEL: MODEL,
    GROQ_API_KEY: 'bench-key',
    LOG_LEVEL: process.env.BENCH_LOG ?? 'silent',
    MAX_INSTANCES: String(3 * ITERATIONS + 4),
    ...extra,
  })
  const server = await startServer(config)
  const base = `http://127.0.0.1:${server.port}`
  const message = async (sessionId, text) => {
    const res = await fetch(`${base}/agent/message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, message: text }),
    })
    if (!res.ok) throw new Error(`POST /agent/message answered ${res.status}: ${await res.text()}`)
    return res.json()
  }
  const session = async (sessionId) => (await fetch(`${base}/agent/sessions/${sessionId}`)).json()
  const poolReady = async () => {
    const text = await (await fetch(`${base}/metrics`)).text()
    return Number(/agent_router_sandbox_pool\{state="ready"\} (\d+)/.exec(text)?.[1] ?? 0)
  }
  return { server, base, message, session, poolReady, dataDir: config.dataDir }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sandbox-'))
  const upstream = await startUpstream()
  const routerConfig = join(dir, 'litellm_config.yaml')
  writeFileSync(
    routerConfig,
    `model_list:
  - model_name: groq/*
    litellm_params:
      model: groq/*
      api_base: http://127.0.0.1:${upstream.address().port}/v1
      api_key: os.environ/GROQ_API_KEY
router_settings:
  num_retries: 0
`,
  )
  const pooled = await benchServer(dir, 'pooled', routerConfig, { POOL_SIZE: '1' })
  const plain = await benchServer(dir, 'plain', routerConfig, { POOL_SIZE: '0', SLEEP_AFTER: '1s' })
  const { base, message } = pooled

  try {
    // The pool's first member, alone: what one costs while it waits.
    await until('the warm pool', async () => (await pooled.poolReady()) === 1)
    const poolTrees = containerTrees()
    const poolRss = median(poolTrees.map((t) => t.rssMb))

    // (a) baseline: a fresh Claude Code process per turn, straight through the router.
    const fresh = []
    const baselineDir = join(dir, 'baseline')
    mkdirSync(join(baselineDir, 'claude'), { recursive: true })
    for (let i = 0; i < ITERATIONS; i++) {
      fresh.push(
        await timed(async () => {
          for await (const m of query({
            prompt: `fresh turn ${i}`,
            options: {
              cwd: baselineDir,
              model: MODEL,
              env: {
                PATH: process.env.PATH,
                HOME: baselineDir,
                ANTHROPIC_BASE_URL: `${base}/llm`,
                ANTHROPIC_AUTH_TOKEN: 'bench',
                CLAUDE_CONFIG_DIR: join(baselineDir, 'claude'),
                CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
                DISABLE_TELEMETRY: '1',
                DISABLE_AUTOUPDATER: '1',
              },
            },
          })) {
            if (m.type === 'result' && m.is_error) throw new Error(`baseline turn failed: ${m.subtype}`)
          }
        }),
      )
    }

    // (c) first turns from the pool, each once the pool has refilled (and settled); then (b) warm
    // follow-ups in the first of those sessions.
    const fromPool = []
    for (let i = 0; i < ITERATIONS; i++) {
      await until('the warm pool to refill', async () => (await pooled.poolReady()) === 1)
      await sleep(200)
      fromPool.push(await timed(() => message(`from-pool-${i}`, 'first turn')))
      // The member is the session's now (a start of its own would have left it waiting in the pool).
      if ((await pooled.poolReady()) !== 0) throw new Error('the first turn did not take the pool member')
    }
    const warm = []
    for (let i = 0; i < ITERATIONS; i++)
      warm.push(await timed(() => message('from-pool-0', `follow-up ${i}`)))
    const awakeTrees = containerTrees()

    // (d) first turns with no pool, then (e) the same sessions woken once they slept.
    const noPool = []
    for (let i = 0; i < ITERATIONS; i++)
      noPool.push(await timed(() => plain.message(`new-${i}`, 'first turn')))
    const wake = []
    for (let i = 0; i < ITERATIONS; i++) {
      await until(
        'the session to sleep',
        async () => (await plain.session(`new-${i}`)).containerState?.state === 'sleeping',
        30_000,
      )
      wake.push(await timed(() => plain.message(`new-${i}`, 'after a sleep')))
    }

    // (f) a new Claude Code resuming the transcript in the running sandbox of (b)'s session (found by its
    // Claude Code session id among the pool's sandboxes): the container restarts its query (with resume)
    // when a turn's fixed options differ, here maxTurns.
    const last = 'from-pool-0'
    const claudeSessionId = (await pooled.session(last)).claudeSession?.id
    if (typeof claudeSessionId !== 'string') throw new Error('no Claude Code session id to resume')
    let client
    for (const member of readdirSync(join(pooled.dataDir, 'pool'))) {
      const candidate = createUnixSocketClient(
        containerSocketPath(join(pooled.dataDir, 'pool', member, 'run')),
      )
      const report = await candidate.debug().catch(() => undefined)
      if (report?.liveSession?.claudeSessionId === claudeSessionId) client = candidate
    }
    if (client === undefined) throw new Error(`no running sandbox holds ${last}`)
    const resumeInRunning = []
    for (let i = 0; i < ITERATIONS; i++) {
      resumeInRunning.push(
        await timed(async () => {
          for await (const line of client.run({
            prompt: `resume ${i}`,
            sessionId: last,
            model: MODEL,
            resumeSessionId: claudeSessionId,
            maxTurns: 100 + i,
          })) {
            if (line?.type === 'error') throw new Error(`resume turn failed: ${JSON.stringify(line)}`)
          }
        }),
      )
    }

    const a = median(fresh)
    const rows = [
      ['(a) fresh query() per turn (baseline)', fresh, ''],
      ['(b) warm follow-up turn in the container', warm, '<= 0.25'],
      ['(c) new session first turn, from the warm pool', fromPool, '<= 0.3'],
      ['(d) new session first turn, no pool (sandbox + CLI start)', noPool, '<= 1.5'],
      ['(e) wake a sleeping session (sandbox + CLI start, resume)', wake, ''],
      ['(f) resume in a running sandbox (CLI start, resume)', resumeInRunning, ''],
    ]
    console.log(
      `\nsandbox bench: ${ITERATIONS} iterations each, wall time, SANDBOX=${SANDBOX} (driver ${driverName}), ${MODEL}\n`,
    )
    console.log('| measurement | median ms | p90 ms | median x baseline | target |')
    console.log('|---|---:|---:|---:|---|')
    for (const [name, values, target] of rows)
      console.log(
        `| ${name} | ${median(values).toFixed(0)} | ${p90(values).toFixed(0)} | ${(median(values) / a).toFixed(2)} | ${target} |`,
      )
    console.log(
      `| (c) / (b): pool first turn over a warm turn | | | ${(median(fromPool) / median(warm)).toFixed(2)} | moonshot <= 1.5 |`,
    )
    console.log(
      `| RSS of a waiting pool member (container tree: ${poolTrees[0]?.processes ?? 0} processes) | ${poolRss.toFixed(0)} MB | | | |`,
    )
    console.log(
      `| RSS per awake session (container tree; ${awakeTrees.length} awake) | ${median(awakeTrees.map((t) => t.rssMb)).toFixed(0)} MB | | | |`,
    )
    const ok = median(warm) / a <= 0.25 && median(fromPool) / a <= 0.3 && median(noPool) / a <= 1.5
    console.log(
      `\n${ok ? 'PASS' : 'FAIL'}: warm ${(median(warm) / a).toFixed(2)} (<= 0.25), pool first ${(median(fromPool) / a).toFixed(2)} (<= 0.3), first with no pool ${(median(noPool) / a).toFixed(2)} (<= 1.5)`,
    )
    process.exitCode = ok ? 0 : 1
  } finally {
    await pooled.server.close()
    await plain.server.close()
    upstream.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
