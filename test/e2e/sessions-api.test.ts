/**
 * The session layer end to end (real SDK, router, SQLite, container processes; scripted model): several clients
 * on one session, reconnects without gaps or duplicates, interrupt, restart recovery, and the REST API.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadServerConfig } from '../../src/config/config.js'
import type { OutboundEvent, SessionEvent } from '../../src/protocol/events.js'
import { type RunningServer, startServer } from '../../src/server/start.js'
import {
  endsWithToolResult,
  isAgentRequest,
  lastUserText,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../fixtures/scripted-model-server.js'
import { connectEvents, startGroqServer, tempDir } from './helpers.js'

const MODEL = 'groq/openai/gpt-oss-120b'
const OTHER_MODEL = 'groq/moonshotai/kimi-k2-instruct'
const dir = tempDir()
let scripted: ScriptedModelServer
let server: RunningServer

function start(env: Record<string, string> = {}): Promise<RunningServer> {
  return startGroqServer({ dir: dir.path, openaiBaseUrl: scripted.openaiBaseUrl, env })
}

const ws = (session: string, after = 0) =>
  `${server.url.replace('http', 'ws')}/demo/ws/${session}?after=${after}`
const persisted = (events: OutboundEvent[]) => events.filter((e): e is SessionEvent => 'seq' in e)
const endsTurn = (after: number) => (e: OutboundEvent) =>
  e.type === 'status' && 'seq' in e && e.seq > after && (e.data as { isRunning: boolean }).isRunning === false
const api = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init)
const post = (path: string, body: unknown) =>
  api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

beforeAll(async () => {
  scripted = await startScriptedModelServer({
    respond: (request) => {
      if (!isAgentRequest(request)) return { text: 'title' }
      if (endsWithToolResult(request)) return { text: 'Written.' }
      const said = lastUserText(request)
      if (said.startsWith('slow')) return { text: 'finally done', delayMs: 4000 }
      if (said.startsWith('write ')) {
        const [, session, name] = said.split(' ')
        const path = join(dir.path, 'data', 'sessions', session ?? '', 'workspace', name ?? 'x.txt')
        return {
          toolCalls: [{ name: 'Write', arguments: { file_path: path, content: `content of ${name}\n` } }],
        }
      }
      return { text: `echo: ${said}` }
    },
  })
  server = await start()
})

afterAll(async () => {
  await server?.close()
  await scripted?.close()
  dir.remove()
})

describe('sessions over WebSocket', () => {
  it('shows every client of a session the same events in the same order, including the echo of what was typed', async () => {
    const a = await connectEvents(ws('multi'))
    const b = await connectEvents(ws('multi'))
    a.send({ type: 'user_message', content: 'hello from a', model: MODEL })
    await Promise.all([a.waitFor(endsTurn(0)), b.waitFor(endsTurn(0))])
    expect(persisted(a.events)).toEqual(persisted(b.events))
    expect(persisted(b.events)[0]).toMatchObject({ type: 'user_message', content: 'hello from a', seq: 1 })
    expect(persisted(b.events).map((e) => e.type)).toContain('result')
    await Promise.all([a.close(), b.close()])
  })

  it('lets a client that dropped mid-turn reconnect with its last seq and miss nothing and see nothing twice', async () => {
    const first = await connectEvents(ws('reconnect'))
    first.send({ type: 'user_message', content: 'write reconnect a.txt', model: MODEL })
    await first.waitFor((e) => e.type === 'tool_use')
    const seen = persisted(first.events)
    await first.close()
    const lastSeq = seen[seen.length - 1]?.seq ?? 0
    const second = await connectEvents(ws('reconnect', lastSeq))
    await second.waitFor(endsTurn(lastSeq))
    const all = [...seen, ...persisted(second.events)]
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1))
    expect(all.map((e) => e.type)).toEqual(
      expect.arrayContaining(['tool_use', 'tool_result', 'file_change', 'result']),
    )
    await second.close()
  })

  it('stops a running turn on interrupt, keeps what it produced, and takes the next message', async () => {
    const client = await connectEvents(ws('interrupt'))
    client.send({ type: 'user_message', content: 'slow answer please', model: MODEL })
    await client.waitFor(
      (e) => e.type === 'status' && 'seq' in e && (e.data as { isRunning: boolean }).isRunning,
    )
    const started = Date.now()
    client.send({ type: 'interrupt' })
    const events = persisted(await client.waitFor(endsTurn(1)))
    expect(Date.now() - started).toBeLessThan(3000)
    expect(events[events.length - 1]?.data).toMatchObject({ isRunning: false, interrupted: true })
    expect(events.map((e) => e.content)).not.toContain('finally done')
    const after = events[events.length - 1]!.seq
    client.send({ type: 'user_message', content: 'are you there?' })
    const next = persisted(await client.waitFor(endsTurn(after)))
    expect(next.find((e) => e.type === 'result' && e.seq > after)?.content).toBe('echo: are you there?')
    await client.close()
  })

  it('answers a bad frame with an error only to its sender and changes nothing', async () => {
    const client = await connectEvents(ws('badframes'))
    await client.waitFor((e) => e.type === 'status')
    client.socket.send('not json')
    client.send({ type: 'user_message', content: '' })
    client.send({ type: 'nope' })
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true })
    client.send({ type: 'permission_response', requestId: 'missing', allow: true })
    const events = await client.waitFor(() => client.events.filter((e) => e.type === 'error').length >= 5)
    const errors = events.filter((e) => e.type === 'error')
    expect(errors.every((e) => !('seq' in e))).toBe(true)
    expect(errors.map((e) => ('content' in e ? e.content : '')).join('\n')).toMatch(
      /not JSON[\s\S]*content[\s\S]*type[\s\S]*binary[\s\S]*no pending/,
    )
    expect((await api('/agent/sessions/badframes')).status).toBe(404)
    await client.close()
  })

  it('closes a connection for an invalid session id with 1008 and refuses a bad after or path', async () => {
    const { default: WebSocket } = await import('ws')
    const base = server.url.replace('http', 'ws')
    const bad = new WebSocket(`${base}/demo/ws/bad.id`)
    const code = await new Promise<number>((resolve) => bad.on('close', (c) => resolve(c)))
    expect(code).toBe(1008)
    await expect(connectEvents(`${base}/demo/ws/fine?after=-1`)).rejects.toThrow(/400/)
    await expect(connectEvents(`${base}/demo/ws/fine?after=abc`)).rejects.toThrow(/400/)
    await expect(connectEvents(`${base}/nope/ws/fine`)).rejects.toThrow(/404/)
  })
})

describe('REST API', () => {
  it('runs a turn with POST /agent/message and exposes the session, its events and its files', async () => {
    const res = await post('/agent/message', {
      sessionId: 'rest',
      message: 'write rest notes.md',
      model: OTHER_MODEL,
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      status: 'Message processed',
      sessionId: 'rest',
      result: 'Written.',
    })

    // The first message names the session at once; then the model's short title of the first exchange (the
    // scripted server answers 'title' to calls without tools) replaces it.
    await expect
      .poll(async () => ((await (await api('/agent/sessions/rest')).json()) as { title: string }).title)
      .toBe('title')
    const titleCalls = scripted.requests.filter((r) => {
      const body = JSON.stringify(r.body)
      return body.includes('three to six words') && body.includes('User: write rest notes.md')
    })
    expect(titleCalls).toHaveLength(1)
    const state = (await (await api('/agent/sessions/rest')).json()) as { claudeSession: { id: string } }
    expect(state).toMatchObject({
      id: 'rest',
      isRunning: false,
      claudeSession: {
        preferredModel: OTHER_MODEL,
        sessionFiles: ['notes.md'],
        lastCommand: 'write rest notes.md',
      },
    })
    expect(state.claudeSession.id).toMatch(/[0-9a-f-]{36}/)

    // The router recorded the turn's model calls under the session (its sandbox's token says which).
    const usage = (await (await api('/llm/usage?sessionId=rest')).json()) as {
      totals: { requests: number; inputTokens: number }
      entries: { sessionId: string; model: string; status: number }[]
    }
    expect(usage.totals.requests).toBeGreaterThanOrEqual(2)
    expect(usage.totals.inputTokens).toBeGreaterThan(0)
    expect(usage.entries.every((e) => e.sessionId === 'rest' && e.status === 200)).toBe(true)
    expect(usage.entries.map((e) => e.model)).toContain(OTHER_MODEL)

    const list = (await (await api('/agent/sessions')).json()) as { sessions: { id: string }[] }
    expect(list.sessions[0]?.id).toBe('rest')

    const events = (await (await api('/agent/sessions/rest/events?after=1')).json()) as {
      events: SessionEvent[]
    }
    expect(events.events[0]?.seq).toBe(2)
    expect(events.events.map((e) => e.type)).toContain('file_change')

    const files = (await (await api('/agent/sessions/rest/files')).json()) as { files: { path: string }[] }
    expect(files.files.map((f) => f.path)).toEqual(['notes.md'])
    const file = await (await api('/agent/sessions/rest/files/notes.md')).json()
    expect(file).toMatchObject({ path: 'notes.md', content: 'content of notes.md\n', binary: false })
    expect((await api('/agent/sessions/rest/files/..%2F..%2Fagent-router.db')).status).toBe(400)
  })

  it('renames, interrupts (idle: nothing to stop) and deletes a session with its workspace', async () => {
    await post('/agent/message', { sessionId: 'doomed', message: 'write doomed f.txt' })
    const renamed = await api('/agent/sessions/doomed', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Renamed' }),
    })
    expect(await renamed.json()).toMatchObject({ title: 'Renamed' })
    expect(await (await post('/agent/sessions/doomed/interrupt', {})).json()).toEqual({ interrupted: false })
    expect((await api('/agent/sessions/doomed', { method: 'DELETE' })).status).toBe(204)
    expect((await api('/agent/sessions/doomed')).status).toBe(404)
    expect((await api('/agent/sessions/doomed/files')).status).toBe(404)
  })

  it('answers bad input with a 4xx JSON error', async () => {
    const cases: [Promise<Response>, number][] = [
      [post('/agent/message', { sessionId: 'x' }), 400],
      [post('/agent/message', { sessionId: 'bad id!', message: 'hi' }), 400],
      [
        api('/agent/message', {
          method: 'POST',
          body: '{not json',
          headers: { 'content-type': 'application/json' },
        }),
        400,
      ],
      [post('/agent/message', { sessionId: 'big', message: 'x'.repeat(1_100_000) }), 413],
      [api('/agent/sessions/missing'), 404],
      [api('/agent/sessions/bad.id'), 400],
      [api('/agent/sessions/rest/events?after=-3'), 400],
      [api('/agent/sessions/rest/files/missing.txt'), 404],
      [post('/agent/sessions/rest/permissions/none', { allow: true }), 404],
      [post('/agent/sessions/rest/permissions/none', { allow: 'yes' }), 400],
      [post('/claude-code', { prompt: '' }), 400],
      [api('/claude-code/debug'), 400],
      [api('/nowhere'), 404],
    ]
    for (const [response, status] of cases) {
      const res = await response
      expect(res.status, `${res.url} ${status}`).toBe(status)
      const body = (await res.json()) as { error?: { type?: string; message?: string } }
      expect(typeof body.error?.message).toBe('string')
    }
  })

  it('answers non-streaming and streaming Messages requests on the mounted router', async () => {
    const body = { model: MODEL, max_tokens: 50, messages: [{ role: 'user', content: 'plain call' }] }
    const plain = await post('/llm/v1/messages', body)
    expect(plain.status).toBe(200)
    expect(await plain.json()).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: MODEL,
      content: [{ type: 'text', text: 'title' }],
    })
    const streamed = await post('/llm/v1/messages', { ...body, stream: true })
    expect(streamed.headers.get('content-type')).toContain('text/event-stream')
    expect(await streamed.text()).toContain('event: message_stop')
  })

  it('exposes the key metrics in Prometheus format', async () => {
    const client = await connectEvents(ws('metrics'))
    const text = await (await api('/metrics')).text()
    await client.close()
    expect(text).toMatch(/^agent_router_websocket_connections 1$/m)
    expect(text).toMatch(/^agent_router_containers_active \d+$/m)
    expect(text).toMatch(
      /^agent_router_http_request_duration_seconds_count\{method="GET",route="\/agent\/sessions\/:id",status="200"\} \d+$/m,
    )
    expect(text).toMatch(/^agent_router_turn_duration_seconds_count\{outcome="ok"\} [1-9]\d*$/m)
    expect(text).toMatch(/^agent_router_errors_total\{kind="not_found_error"\} [1-9]\d*$/m)
    expect(text).toMatch(/^router_time_to_first_byte_seconds_count\{.*\} [1-9]\d*$/m)
    expect(text).toMatch(/^router_request_duration_seconds_count\{.*\} [1-9]\d*$/m)
  })

  it('serves an OpenAPI document that lists every REST path', async () => {
    const doc = (await (await api('/openapi.json')).json()) as {
      openapi: string
      paths: Record<string, unknown>
    }
    expect(doc.openapi).toBe('3.1.0')
    for (const path of [
      '/agent/message',
      '/agent/sessions/{id}',
      '/agent/sessions/{id}/files/{path}',
      '/claude-code',
    ])
      expect(Object.keys(doc.paths)).toContain(path)
  })

  it('runs the legacy POST /claude-code in a temporary sandbox renamed to the Claude Code session id', async () => {
    const res = await post('/claude-code', { prompt: 'legacy hello', model: MODEL })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { type: string; result: string; sessionId: string; requestId: string }
    expect(body).toMatchObject({ type: 'result', result: 'echo: legacy hello' })
    expect(body.sessionId).toMatch(/^[0-9a-f-]{36}$/)
    const streamed = await post('/claude-code', {
      prompt: 'legacy again',
      sessionId: body.sessionId,
      stream: true,
    })
    expect(streamed.headers.get('content-type')).toContain('application/x-ndjson')
    const lines = (await streamed.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; result?: string })
    expect(lines.find((l) => l.type === 'result')?.result).toBe('echo: legacy again')
  })
})

describe('restarts', () => {
  it('closes a turn the server was running when it stopped, keeps what was typed, and takes the next message', async () => {
    const client = await connectEvents(ws('restart'))
    client.send({ type: 'user_message', content: 'slow work before the restart', model: MODEL })
    await client.waitFor(
      (e) => e.type === 'status' && 'seq' in e && (e.data as { isRunning: boolean }).isRunning,
    )
    await client.close()
    await server.close()
    server = await start()
    const again = await connectEvents(ws('restart'))
    const replay = persisted(await again.waitFor((e) => e.type === 'status' && !('seq' in e)))
    expect(replay[0]).toMatchObject({ type: 'user_message', content: 'slow work before the restart' })
    expect(replay.find((e) => e.type === 'error')?.content).toMatch(/interrupted by a restart/)
    expect(replay[replay.length - 1]?.data).toMatchObject({ isRunning: false })
    const last = replay[replay.length - 1]!.seq
    again.send({ type: 'user_message', content: 'still there?' })
    const events = persisted(await again.waitFor(endsTurn(last)))
    expect(events.find((e) => e.type === 'result' && e.seq > last)?.content).toBe('echo: still there?')
    await again.close()
  })
})

describe('auth', () => {
  it('asks for AUTH_TOKEN on REST, WebSocket and the router, but not on /health', async () => {
    await server.close()
    server = await start({ AUTH_TOKEN: 'tok_auth_e2e_0123456789' })
    const auth = { authorization: 'Bearer tok_auth_e2e_0123456789' }
    expect((await api('/health')).status).toBe(200)
    for (const path of [
      '/agent/sessions',
      '/openapi.json',
      '/llm/v1/models',
      '/claude-code/debug?sessionId=x',
    ])
      expect((await api(path)).status, path).toBe(401)
    expect((await api('/agent/sessions', { headers: auth })).status).toBe(200)
    expect((await api('/llm/v1/models', { headers: auth })).status).toBe(200)
    expect((await api('/agent/sessions', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401)
    await expect(connectEvents(ws('authws'))).rejects.toThrow(/401/)
    const ok = await connectEvents(`${ws('authws')}&token=tok_auth_e2e_0123456789`)
    await ok.close()
  })

  it('refuses a WebSocket from a foreign page (Origin check)', async () => {
    const { default: WebSocket } = await import('ws')
    const foreign = new WebSocket(`${ws('origin')}&token=tok_auth_e2e_0123456789`, {
      headers: { origin: 'https://evil.example' },
    })
    const status = await new Promise<number | undefined>((resolve) => {
      foreign.on('unexpected-response', (_req, res) => resolve(res.statusCode))
      foreign.on('open', () => resolve(101))
    })
    expect(status).toBe(403)
  })

  it('refuses to listen on a non-loopback address without AUTH_TOKEN', async () => {
    const config = loadServerConfig({
      HOST: '0.0.0.0',
      PORT: '0',
      DATA_DIR: join(dir.path, 'other'),
      SANDBOX: 'none',
    })
    await expect(startServer(config)).rejects.toThrow(/refusing to listen on 0.0.0.0 without AUTH_TOKEN/)
  })
})
