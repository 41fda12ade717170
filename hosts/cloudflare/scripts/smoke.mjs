#!/usr/bin/env node
/**
 * Smoke test of a real deployment (what the offline tests cannot reach: real Containers, real cold starts,
 * real sleep): a turn that writes a file, a second turn after the container slept past SLEEP_AFTER, and the
 * waitingForSandbox status once MAX_INSTANCES containers are busy.
 *
 *   AGENT_ROUTER_URL=https://agent-router.<you>.workers.dev AUTH_TOKEN=... CLOUDFLARE_API_TOKEN=... npm run smoke
 *
 * SMOKE_SLEEP_AFTER (default 11m) is how long to wait for the container to sleep: deploy with a short
 * SLEEP_AFTER (`wrangler deploy --var SLEEP_AFTER:1m`) to make it quick. Without CLOUDFLARE_API_TOKEN or
 * AGENT_ROUTER_URL it does nothing and says that it was skipped.
 */
import WebSocket from 'ws'

const base = process.env.AGENT_ROUTER_URL
if (process.env.CLOUDFLARE_API_TOKEN === undefined || base === undefined) {
  console.log(
    'SKIPPED: the Cloudflare smoke test needs CLOUDFLARE_API_TOKEN and AGENT_ROUTER_URL (a deployment).',
  )
  process.exit(0)
}
const token = process.env.AUTH_TOKEN
const headers = { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) }
const parseDuration = (text) => {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(text)
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']
}
const sleepAfterMs = parseDuration(process.env.SMOKE_SLEEP_AFTER ?? '11m')
const run = `smoke-${Date.now()}`
let failures = 0

function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`)
  if (!ok) failures++
}

async function api(path, init = {}) {
  const res = await fetch(new URL(path, base), { ...init, headers })
  const body = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text()
  return { status: res.status, body }
}

async function turn(sessionId, message) {
  const started = Date.now()
  const res = await api('/agent/message', { method: 'POST', body: JSON.stringify({ sessionId, message }) })
  return { ...res, ms: Date.now() - started }
}

// 1. A real turn in a fresh container (cold start).
const first = await turn(`${run}-a`, 'Create the file smoke.txt containing the word hello, then say done.')
check(first.status === 200, `first turn answered ${first.status} in ${first.ms} ms (cold start included)`)
const files = await api(`/agent/sessions/${run}-a/files`)
check(
  files.body.files?.some((f) => f.path === 'smoke.txt'),
  'the file is in the workspace',
)

// 2. Past SLEEP_AFTER the container sleeps; the next turn wakes it and still knows the conversation.
console.log(`waiting ${Math.round(sleepAfterMs / 1000)} s for the container to sleep…`)
await new Promise((resolve) => setTimeout(resolve, sleepAfterMs))
const asleep = await api(`/agent/sessions/${run}-a`)
check(
  asleep.body.containerState?.isActive === false,
  `container state after SLEEP_AFTER: ${asleep.body.containerState?.state}`,
)
const second = await turn(`${run}-a`, 'What was the name of the file you created? Answer with the name only.')
check(
  second.status === 200 && /smoke\.txt/.test(String(second.body.result)),
  `second turn after sleep: ${JSON.stringify(second.body.result)}`,
)
const after = await api(`/agent/sessions/${run}-a/files`)
check(
  after.body.files?.some((f) => f.path === 'smoke.txt'),
  'the workspace file survived the sleep',
)

// 3. With MAX_INSTANCES containers busy, one more turn reports waitingForSandbox instead of failing.
const info = await api('/agent/info')
const max = Number(process.env.SMOKE_MAX_INSTANCES ?? 5)
console.log(`starting ${max} long turns to fill max_instances (${info.body.sandbox?.driver})…`)
const busy = Array.from({ length: max }, (_, i) =>
  turn(`${run}-busy-${i}`, 'Run the shell command `sleep 90`, then say done.'),
)
await new Promise((resolve) => setTimeout(resolve, 20_000))
const wsUrl = new URL(`/demo/ws/${run}-extra`, base)
wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:'
if (token) wsUrl.searchParams.set('token', token)
const waited = await new Promise((resolve) => {
  const ws = new WebSocket(wsUrl)
  const timer = setTimeout(() => {
    ws.close()
    resolve(false)
  }, 60_000)
  ws.on('open', () => ws.send(JSON.stringify({ type: 'user_message', content: 'Say hi.' })))
  ws.on('message', (raw) => {
    const event = JSON.parse(String(raw))
    if (event.type === 'status' && event.data?.waitingForSandbox === true) {
      clearTimeout(timer)
      ws.close()
      resolve(true)
    }
  })
})
check(waited, 'a turn past max_instances waits with waitingForSandbox')
await Promise.allSettled(busy)

for (const id of [`${run}-a`, `${run}-extra`, ...Array.from({ length: max }, (_, i) => `${run}-busy-${i}`)])
  await api(`/agent/sessions/${id}`, { method: 'DELETE' })
console.log(failures === 0 ? 'smoke test passed' : `smoke test: ${failures} check(s) failed`)
process.exit(failures === 0 ? 0 : 1)
