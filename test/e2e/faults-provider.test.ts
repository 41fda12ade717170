/**
 * Provider faults end to end (real SDK, router, SQLite, container processes; scripted upstream): rate limits,
 * server errors, a closed port, a slow first byte and a stream cut mid-message. Each one ends
 * in a router retry, a fallback, or a clean `error` event, never a hung turn, and the session answers the next
 * message afterwards.
 */

import { writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadServerConfig } from '../../src/config/config.js'
import type { OutboundEvent, SessionEvent } from '../../src/protocol/events.js'
import { createLogger } from '../../src/server/logger.js'
import { type RunningServer, startServer } from '../../src/server/start.js'
import {
  endsWithToolResult,
  isAgentRequest,
  lastUserText,
  type RecordedRequest,
  type ScriptedModelServer,
  type ScriptedTurn,
  startScriptedModelServer,
} from '../fixtures/scripted-model-server.js'
import { connectEvents, tempDir } from './helpers.js'

const HEALTHY = 'groq/healthy'
const dir = tempDir('ar-faults-')
let scripted: ScriptedModelServer
let server: RunningServer
let closedPort = 0

/** Per upstream model: what its n-th agent request (0-based) gets; anything unscripted echoes. */
const faults = new Map<string, (attempt: number) => ScriptedTurn | undefined>()
const agentRequests = (upstreamModel: string): RecordedRequest[] =>
  scripted.requests.filter((r) => isAgentRequest(r) && r.body.model === upstreamModel)

/** When each request reached the scripted server. */
const arrivedAt = new Map<RecordedRequest, number>()

function respond(request: RecordedRequest): ScriptedTurn {
  arrivedAt.set(request, Date.now())
  if (!isAgentRequest(request)) return { text: 'Fault session' }
  if (endsWithToolResult(request)) return { text: 'Done.' }
  const model = String(request.body.model)
  const fault = faults.get(model)?.(agentRequests(model).length - 1)
  return fault ?? { text: `echo: ${lastUserText(request)}` }
}

/** A port nothing listens on: bound once, then released. */
async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

function writeConfig(): string {
  const file = join(dir.path, 'litellm_config.yaml')
  const key = 'api_key: os.environ/GROQ_API_KEY'
  writeFileSync(
    file,
    `model_list:
  - model_name: groq/*
    litellm_params: {model: groq/*, api_base: ${scripted.openaiBaseUrl}, ${key}}
  - model_name: groq/dead-port
    litellm_params: {model: groq/dead-port, api_base: http://127.0.0.1:${closedPort}/v1, ${key}}
  - model_name: groq/dead-port-alone
    litellm_params: {model: groq/dead-port-alone, api_base: http://127.0.0.1:${closedPort}/v1, ${key}}
  - model_name: groq/slow-first-byte
    litellm_params: {model: groq/slow-first-byte, api_base: ${scripted.openaiBaseUrl}, ${key}, timeout: 1}
  - model_name: groq/always-slow
    litellm_params: {model: groq/always-slow, api_base: ${scripted.openaiBaseUrl}, ${key}, timeout: 1}
router_settings:
  routing_strategy: simple-shuffle
  num_retries: 1
  retry_after: 0.1
  timeout: 30
  fallbacks:
    - {"groq/always-500": ["${HEALTHY}"]}
    - {"groq/dead-port": ["${HEALTHY}"]}
`,
  )
  return file
}

async function start(): Promise<RunningServer> {
  const config = loadServerConfig(
    {
      DATA_DIR: join(dir.path, 'data'),
      ROUTER_CONFIG: writeConfig(),
      PORT: '0',
      SANDBOX: 'none',
      GROQ_API_KEY: 'gsk_faults_provider_key_0123456789',
    },
    dir.path,
  )
  return startServer(config, { logger: createLogger({ level: 'silent', secrets: () => [] }) })
}

const persisted = (events: OutboundEvent[]) => events.filter((e): e is SessionEvent => 'seq' in e)
const endsTurn = (after: number) => (e: OutboundEvent) =>
  e.type === 'status' && 'seq' in e && e.seq > after && (e.data as { isRunning: boolean }).isRunning === false

/** Sends one message on a fresh connection and returns the persisted events of that turn. */
async function turn(session: string, content: string, model: string): Promise<SessionEvent[]> {
  const url = `${server.url.replace('http', 'ws')}/demo/ws/${session}`
  const client = await connectEvents(url)
  try {
    const snapshot = await client.waitFor((e) => e.type === 'status' && !('seq' in e), 10_000)
    const after = persisted(snapshot).at(-1)?.seq ?? 0
    client.send({ type: 'user_message', content, model })
    const events = await client.waitFor(endsTurn(after + 1), 75_000)
    return persisted(events).filter((e) => e.seq > after)
  } finally {
    await client.close()
  }
}

const resultText = (events: SessionEvent[]) =>
  events
    .filter((e) => e.type === 'result')
    .map((e) => e.content)
    .join('\n')
const errorText = (events: SessionEvent[]) =>
  events
    .filter((e) => e.type === 'error')
    .map((e) => e.content)
    .join('\n')

/** After a fault, the same session answers the next message (on a healthy model). */
async function expectNextTurnWorks(session: string): Promise<void> {
  const events = await turn(session, 'are you still there?', HEALTHY)
  expect(errorText(events)).toBe('')
  // After a failed turn Claude Code sends the unanswered message again together with the new one.
  expect(resultText(events)).toMatch(/echo: [\s\S]*are you still there\?/)
}

beforeAll(async () => {
  closedPort = await freePort()
  scripted = await startScriptedModelServer({ respond })
  server = await start()
})

afterAll(async () => {
  await server?.close()
  await scripted?.close()
  dir.remove()
})

/** A counter of the router's Prometheus metrics for one requested model (0 when absent). */
async function routerCounter(name: string, model: string): Promise<number> {
  const text = await (await fetch(`${server.url}/llm/metrics`)).text()
  let total = 0
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) && line.includes(`model="${model}"`))
      total += Number(line.slice(line.lastIndexOf(' ') + 1))
  return total
}

describe('provider faults', () => {
  it('retries a 429 after its Retry-After, and the turn succeeds', { timeout: 90_000 }, async () => {
    faults.set('rate-limited', (n) =>
      n === 0 ? { status: 429, errorMessage: 'slow down', headers: { 'retry-after': '1' } } : undefined,
    )
    const events = await turn('f-429', 'hello after a rate limit', 'groq/rate-limited')
    const attempts = agentRequests('rate-limited')
    expect(attempts).toHaveLength(2)
    const waited = (arrivedAt.get(attempts[1]!) ?? 0) - (arrivedAt.get(attempts[0]!) ?? 0)
    expect(waited).toBeGreaterThanOrEqual(950)
    expect(await routerCounter('router_retries_total', 'groq/rate-limited')).toBe(1)
    expect(resultText(events)).toContain('echo: hello after a rate limit')
    expect(errorText(events)).toBe('')
    await expectNextTurnWorks('f-429')
  })

  it('retries a 503 once, and the turn succeeds', { timeout: 90_000 }, async () => {
    faults.set('flaky-503', (n) => (n === 0 ? { status: 503, errorMessage: 'overloaded' } : undefined))
    const events = await turn('f-503', 'hello after a 503', 'groq/flaky-503')
    expect(agentRequests('flaky-503')).toHaveLength(2)
    expect(await routerCounter('router_retries_total', 'groq/flaky-503')).toBe(1)
    expect(resultText(events)).toContain('echo: hello after a 503')
    expect(errorText(events)).toBe('')
    await expectNextTurnWorks('f-503')
  })

  it('falls back to the next model when one keeps answering 500', { timeout: 90_000 }, async () => {
    faults.set('always-500', () => ({ status: 500, errorMessage: 'upstream exploded' }))
    const healthyBefore = agentRequests('healthy').length
    const events = await turn('f-500', 'hello despite 500s', 'groq/always-500')
    // The first attempt and its one retry, then the fallback served the answer.
    expect(agentRequests('always-500')).toHaveLength(2)
    expect(agentRequests('healthy').length).toBe(healthyBefore + 1)
    expect(await routerCounter('router_fallbacks_total', 'groq/always-500')).toBe(1)
    expect(resultText(events)).toContain('echo: hello despite 500s')
    expect(errorText(events)).toBe('')
    await expectNextTurnWorks('f-500')
  })

  it('falls back to the next model when a route points at a closed port', { timeout: 90_000 }, async () => {
    const healthyBefore = agentRequests('healthy').length
    const events = await turn('f-refused', 'hello to nobody', 'groq/dead-port')
    expect(agentRequests('healthy').length).toBe(healthyBefore + 1)
    expect(agentRequests('dead-port')).toHaveLength(0)
    expect(await routerCounter('router_fallbacks_total', 'groq/dead-port')).toBe(1)
    expect(resultText(events)).toContain('echo: hello to nobody')
    expect(errorText(events)).toBe('')
    await expectNextTurnWorks('f-refused')
  })

  it('ends the turn with an error naming the unreachable provider when no fallback is left', {
    timeout: 90_000,
  }, async () => {
    const events = await turn('f-refused-alone', 'hello to nobody at all', 'groq/dead-port-alone')
    expect(errorText(events)).toMatch(
      new RegExp(`could not reach groq at http://127\\.0\\.0\\.1:${closedPort}/v1: .*ECONNREFUSED`),
    )
    // Once, as the turn's error: not also as an assistant answer.
    expect(events.filter((e) => e.type === 'error')).toHaveLength(1)
    expect(resultText(events)).not.toMatch(/API Error/)
    expect(events.at(-1)?.data).toMatchObject({ isRunning: false })
    await expectNextTurnWorks('f-refused-alone')
  })

  it('retries an attempt whose first byte comes after the timeout, and the turn succeeds', {
    timeout: 90_000,
  }, async () => {
    faults.set('slow-first-byte', (n) => (n === 0 ? { firstByteDelayMs: 4000, text: 'too late' } : undefined))
    const events = await turn('f-slow', 'hello, slowly', 'groq/slow-first-byte')
    expect(agentRequests('slow-first-byte')).toHaveLength(2)
    expect(await routerCounter('router_retries_total', 'groq/slow-first-byte')).toBe(1)
    expect(resultText(events)).toContain('echo: hello, slowly')
    expect(resultText(events)).not.toContain('too late')
    expect(errorText(events)).toBe('')
    await expectNextTurnWorks('f-slow')
  })

  it('ends the turn with a timeout error when every attempt is too slow', { timeout: 90_000 }, async () => {
    faults.set('always-slow', () => ({ firstByteDelayMs: 4000, text: 'too late' }))
    const events = await turn('f-always-slow', 'hello, never', 'groq/always-slow')
    expect(errorText(events)).toMatch(/did not answer within 1 s/)
    expect(resultText(events)).not.toContain('too late')
    await expectNextTurnWorks('f-always-slow')
  })

  it('ends the turn (no hang) when the stream is cut mid-message, and answers the next message', {
    timeout: 90_000,
  }, async () => {
    faults.set('cut-stream', (n) =>
      n === 0 ? { cutAfterChunks: 3, text: 'this answer will be cut off in the middle' } : undefined,
    )
    const events = await turn('f-cut', 'hello, interrupted', 'groq/cut-stream')
    expect(agentRequests('cut-stream')[0]?.body.stream).toBe(true)
    expect(resultText(events)).toContain('echo: hello, interrupted')
    expect(errorText(events)).toBe('')
    expect(events.at(-1)?.data).toMatchObject({ isRunning: false })
    await expectNextTurnWorks('f-cut')
  })

  it('recovers from a chunk of invalid JSON in the stream by retrying, and answers the next message', {
    timeout: 90_000,
  }, async () => {
    faults.set('bad-json', (n) =>
      n === 0 ? { invalidJsonChunk: true, text: 'garbled on the first try' } : undefined,
    )
    const events = await turn('f-bad-json', 'hello, garbled', 'groq/bad-json')
    expect(agentRequests('bad-json').length).toBeGreaterThanOrEqual(2)
    expect(resultText(events)).toContain('echo: hello, garbled')
    expect(errorText(events)).toBe('')
    expect(events.at(-1)?.data).toMatchObject({ isRunning: false })
    await expectNextTurnWorks('f-bad-json')
  })
})
