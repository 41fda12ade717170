/**
 * `npm run bench:sandbox`: what warm turns buy. Starts the real server in-process (SANDBOX as set, by default
 * `auto`: bwrap where it works, as the server runs by default; built code from dist/) in front of a scripted OpenAI-format upstream and, in one run, measures:
 *   (a) baseline: a fresh `query()` per turn (the seed's way), through the same router;
 *   (b) a warm follow-up turn in a session's container (`POST /agent/message`);
 *   (c) a new session's first turn (sandbox start + Claude Code start);
 * plus the RSS of one awake session (its container process tree, from /proc). Medians of several runs.
 * Targets: warm <= 0.25 x baseline, first turn <= 1.5 x baseline.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { query } from '@anthropic-ai/claude-agent-sdk'

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 5)
const SANDBOX = process.env.SANDBOX ?? 'auto'
const MODEL = 'groq/bench-model'

const dist = new URL('../dist/', import.meta.url)
const { loadServerConfig } = await import(new URL('config/config.js', dist).href)
const { startServer } = await import(new URL('server/start.js', dist).href)
const { probeBwrap } = await import(new URL('sandbox/drivers/bwrap/index.js', dist).href)
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
  const config = loadServerConfig({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: join(dir, 'data'),
    PORT: '0',
    SANDBOX: SANDBOX,
    ROUTER_CONFIG: routerConfig,
    DEFAULT_MODEL: MODEL,
    GROQ_API_KEY: 'bench-key',
    LOG_LEVEL: 'silent',
    MAX_INSTANCES: String(ITERATIONS + 2),
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

  try {
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

    // (c) first turns of new sessions, then (b) warm follow-ups in the first of them.
    const first = []
    for (let i = 0; i < ITERATIONS; i++) first.push(await timed(() => message(`bench-${i}`, 'first turn')))
    const warm = []
    for (let i = 0; i < ITERATIONS; i++) warm.push(await timed(() => message('bench-0', `follow-up ${i}`)))

    const trees = containerTrees()
    const rss = median(trees.map((t) => t.rssMb))
    const a = median(fresh)
    const b = median(warm)
    const c = median(first)
    const rows = [
      ['(a) fresh query() per turn (baseline)', a, 1, ''],
      ['(b) warm follow-up turn in the container', b, b / a, '<= 0.25'],
      ['(c) new session first turn (sandbox + CLI start)', c, c / a, '<= 1.5'],
    ]
    console.log(
      `\nsandbox bench: ${ITERATIONS} iterations each, median wall time, SANDBOX=${SANDBOX} (driver ${driverName}), ${MODEL}\n`,
    )
    console.log('| measurement | median ms | x baseline | target |')
    console.log('|---|---:|---:|---|')
    for (const [name, ms, ratio, target] of rows)
      console.log(`| ${name} | ${ms.toFixed(0)} | ${ratio.toFixed(2)} | ${target} |`)
    console.log(
      `| RSS per awake session (container tree: ${trees[0]?.processes ?? 0} processes; ${trees.length} awake) | ${rss.toFixed(0)} MB | | |`,
    )
    const ok = b / a <= 0.25 && c / a <= 1.5
    console.log(
      `\n${ok ? 'PASS' : 'FAIL'}: warm ${(b / a).toFixed(2)} (<= 0.25), first ${(c / a).toFixed(2)} (<= 1.5)`,
    )
    process.exitCode = ok ? 0 : 1
  } finally {
    await server.close()
    upstream.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
