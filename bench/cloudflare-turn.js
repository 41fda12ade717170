/**
 * `npm run bench:cloudflare`: what the Cloudflare host's path adds to a turn. The same scripted Claude Code
 * behind the same container HTTP protocol (hosts/cloudflare/test/container-host.ts, in this process) is
 * driven two ways, in one run:
 *   - Node host core: the agent (SessionActor on better-sqlite3) calling the container over the protocol;
 *   - Cloudflare host: `POST /agent/message` to the Worker in workerd (Miniflare), through the session's
 *     ClaudeCodeAgent Durable Object (DO SQLite) and the real ClaudeCodeContainer on the container runtime
 *     stand-in, to the same container host.
 * Reported: wall time per turn (p50, p90) and the ratio, and workerd's CPU per turn (the Worker, both Durable
 * Objects and the runtime stand-in; Miniflare's own loopback hops included, so an upper bound). Then the
 * Worker's startup CPU as `wrangler check startup` profiles it (Cloudflare refuses a Worker whose startup
 * takes over 1 s of CPU).
 *
 *   node bench/cloudflare-turn.js [turns, default 200]      (needs `npm run build`; uses dist/)
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { unstable_readConfig } from 'wrangler'
import { AgentService } from '../dist/agent/agent-service.js'
import { ContainerHttpClient } from '../dist/agent/container-http-client.js'
import { SqliteSessionStore } from '../dist/store/sqlite-store.js'
import { treeCpuSeconds } from './processes.js'

const TURNS = Number(process.argv[2] ?? 200)
const WARMUP = Math.min(20, TURNS)
const HOST_DIR = join(dirname(fileURLToPath(import.meta.url)), '../hosts/cloudflare')
// Inside the repository so the bundles resolve its packages; removed at the end.
const dir = mkdtempSync(join(HOST_DIR, '../../node_modules/.bench-cloudflare-'))
const dataDir = mkdtempSync(join(tmpdir(), 'ar-bench-cf-'))

// The host's TypeScript, bundled as wrangler and the tests would: the Worker for workerd, the container host for Node.
await build({
  entryPoints: [join(HOST_DIR, 'test/worker.ts')],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  conditions: ['workerd', 'worker', 'browser'],
  mainFields: ['module', 'main'],
  external: ['cloudflare:*'],
  outfile: join(dir, 'worker.mjs'),
  logLevel: 'error',
})
await build({
  entryPoints: [join(HOST_DIR, 'test/container-host.ts')],
  bundle: true,
  format: 'esm',
  platform: 'node',
  packages: 'external',
  outfile: join(dir, 'container-host.mjs'),
  logLevel: 'error',
})
const { createContainerHost } = await import(join(dir, 'container-host.mjs'))
const host = createContainerHost(1000)
const ID_HEADER = 'x-container-id'

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

async function timeTurns(label, turn) {
  for (let i = 0; i < WARMUP; i++) await turn(`warm-${i}`)
  const times = []
  for (let i = 0; i < TURNS; i++) {
    const started = performance.now()
    await turn(`turn ${i}`)
    times.push(performance.now() - started)
  }
  return { label, p50: percentile(times, 50), p90: percentile(times, 90) }
}

/** The Node host's agent core on the container protocol: what both hosts share, without a Worker or DO. */
async function nodeCore() {
  const store = new SqliteSessionStore(join(dataDir, 'agent-router.db'))
  const clientOf = (id) =>
    new ContainerHttpClient((request) => {
      request.headers.set(ID_HEADER, id)
      return host.fetch(request)
    }, id)
  const containers = {
    async ensure(id) {
      await host.fetch(
        new Request('http://host/__control/start', {
          method: 'POST',
          headers: { [ID_HEADER]: id },
          body: '{}',
        }),
      )
      const client = clientOf(id)
      return {
        workspacePath: '/workspace',
        run: (o, s) => client.run(o, s),
        respondPermission: (r, d) => client.respondPermission(r, d),
      }
    },
    info: () => ({ state: 'running', driver: 'bench', isolated: false, lastHeartbeat: undefined }),
    debug: async () => undefined,
    release: async () => {},
  }
  const agent = new AgentService({
    store,
    containers,
    workspace: { snapshot: (id) => clientOf(id).snapshot() },
    defaultModel: 'groq/openai/gpt-oss-120b',
    permissionMode: 'acceptEdits',
  })
  const actor = agent.session('node-core')
  const result = await timeTurns('Node host core (SessionActor, better-sqlite3)', (text) =>
    actor.submit(text),
  )
  store.close()
  return result
}

async function cloudflare() {
  const config = unstable_readConfig({ config: join(HOST_DIR, 'wrangler.jsonc') })
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(dir, 'worker.mjs'),
    compatibilityDate: config.compatibility_date,
    bindings: { ...config.vars, SESSION_TOKEN_SECRET: 'bench-secret-bench-secret-bench-secret-0' },
    durableObjects: Object.fromEntries(
      config.durable_objects.bindings.map((b) => [b.name, { className: b.class_name, useSQLite: true }]),
    ),
    serviceBindings: { CONTAINER_HOST: (request) => host.fetch(request) },
  })
  await mf.ready
  const body = (message) => JSON.stringify({ sessionId: 'cf', message })
  const turn = async (message) => {
    const res = await mf.dispatchFetch('http://bench/agent/message', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(message),
    })
    if (res.status !== 200) throw new Error(`turn answered ${res.status}: ${await res.text()}`)
    await res.arrayBuffer()
  }
  const cpuBefore = treeCpuSeconds(process.pid)
  const ownBefore = process.cpuUsage()
  const result = await timeTurns('Cloudflare host (Worker -> agent DO -> container DO)', turn)
  const own = process.cpuUsage(ownBefore)
  const tree = treeCpuSeconds(process.pid) - cpuBefore
  // workerd is a child of this process: the tree's CPU less this process's own is workerd's.
  result.cpuMsPerTurn = ((tree - (own.user + own.system) / 1e6) * 1000) / (TURNS + WARMUP)
  await mf.dispose()
  return result
}

/**
 * CPU the Worker's startup (module evaluation) takes, from the profile of `wrangler check startup`: the
 * sampled time outside `(idle)`, `(program)` and the garbage collector's idle samples. It builds the deploy
 * bundle, so it gets a Docker CLI stand-in that accepts the image build without running it.
 */
function startupCpuMs() {
  const docker = join(dataDir, 'docker')
  writeFileSync(docker, '#!/bin/sh\nexit 0\n')
  chmodSync(docker, 0o755)
  const profile = join(dataDir, 'startup.cpuprofile')
  execFileSync('npx', ['wrangler', 'check', 'startup', '--outfile', profile], {
    cwd: HOST_DIR,
    env: { ...process.env, WRANGLER_DOCKER_BIN: docker, WRANGLER_SEND_METRICS: 'false' },
    stdio: 'ignore',
  })
  const { nodes, samples, timeDeltas } = JSON.parse(readFileSync(profile, 'utf8'))
  const idle = new Set(
    nodes.filter((n) => ['(idle)', '(program)'].includes(n.callFrame.functionName)).map((n) => n.id),
  )
  let micros = 0
  samples.forEach((node, i) => {
    if (!idle.has(node) && i > 0) micros += timeDeltas[i]
  })
  return micros / 1000
}

try {
  const base = await nodeCore()
  const cf = await cloudflare()
  console.log(
    `\n${TURNS} turns each (after ${WARMUP} warm-up), the same scripted container over the container protocol\n`,
  )
  console.log('| path | p50 ms | p90 ms | ratio p50 | workerd CPU ms/turn |')
  console.log('|---|---|---|---|---|')
  for (const r of [base, cf]) {
    const cpu = r.cpuMsPerTurn === undefined ? '' : r.cpuMsPerTurn.toFixed(2)
    console.log(
      `| ${r.label} | ${r.p50.toFixed(2)} | ${r.p90.toFixed(2)} | ${(r.p50 / base.p50).toFixed(2)}x | ${cpu} |`,
    )
  }
  console.log(
    `\nWorker startup CPU (wrangler check startup): ${startupCpuMs().toFixed(1)} ms (Cloudflare's limit: 1000 ms)`,
  )
} finally {
  host.close()
  rmSync(dir, { recursive: true, force: true })
  rmSync(dataDir, { recursive: true, force: true })
}
