/**
 * The REST surface through `app.request()` (no socket), on real SQLite and real workspace folders, with the
 * container stand-in streaming the Claude Agent SDK's lines: the routes' behaviour in milliseconds. The
 * end-to-end tests run the same routes over HTTP with real Claude Code.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unzipSync } from 'fflate'
import { Hono } from 'hono'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { scriptedContainers } from '../../test/fixtures/scripted-container.js'
import { AgentService } from '../agent/agent-service.js'
import type { SessionEvent } from '../protocol/events.js'
import { SqliteSessionStore } from '../store/sqlite-store.js'
import { MAX_UPLOAD_BYTES } from '../store/workspace-files.js'
import { DirectoryWorkspaceInspector } from '../store/workspace-tracker.js'
import { createApp, MAX_BODY_BYTES } from './app.js'
import { createLogger } from './logger.js'
import { RateLimiter } from './rate-limit.js'

let dir: string
let store: SqliteSessionStore

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ar-app-'))
  store = new SqliteSessionStore(join(dir, 'agent-router.db'))
})

afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

function appWith(options: { authToken?: string; turnLimiter?: RateLimiter } = {}) {
  const workspaceDir = (id: string) => join(dir, 'sessions', id, 'workspace')
  const containers = scriptedContainers(workspaceDir, (run) => ({
    text: `You said: ${run.prompt}`,
    ...(run.prompt.startsWith('Create') && {
      toolCalls: [{ name: 'Write', input: { file_path: '/workspace/notes/hello.txt', content: 'hello\n' } }],
    }),
    ...(run.prompt.startsWith('Run') && {
      toolCalls: [{ name: 'Bash', input: { command: run.prompt.slice(4) }, ask: true }],
    }),
  }))
  const agent = new AgentService({
    store,
    containers,
    workspace: new DirectoryWorkspaceInspector(workspaceDir),
    defaultModel: 'groq/openai/gpt-oss-120b',
    permissionMode: 'acceptEdits',
  })
  const app = createApp({
    agent,
    containers,
    router: new Hono().get('/health', (c) => c.json({ status: 'ok' })),
    authToken: options.authToken,
    logger: createLogger({ level: 'silent', secrets: () => [] }),
    dataDir: dir,
    defaultModel: 'groq/openai/gpt-oss-120b',
    workspaceDir,
    info: () => ({
      defaultModel: 'groq/openai/gpt-oss-120b',
      sandbox: { driver: 'scripted', isolated: false },
      providers: [],
      warnings: [],
    }),
    uiDir: join(dir, 'no-ui'),
    ...(options.turnLimiter !== undefined && { turnLimiter: options.turnLimiter }),
  })
  const json = (path: string, method: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
  return { app, json, containers, agent }
}

describe('REST API', () => {
  it('runs a turn with POST /agent/message and exposes the session, its events and its files', async () => {
    const { app, json } = appWith()
    const res = await json('/agent/message', 'POST', { sessionId: 's1', message: 'Create hello.txt' })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      status: 'Message processed',
      sessionId: 's1',
      result: 'You said: Create hello.txt',
    })

    const sessions = (await (await app.request('/agent/sessions')).json()) as { sessions: { id: string }[] }
    expect(sessions.sessions.map((s) => s.id)).toEqual(['s1'])
    expect(await (await app.request('/agent/sessions/s1')).json()).toMatchObject({
      id: 's1',
      title: 'Create hello.txt',
      isRunning: false,
      claudeSession: { sessionFiles: ['notes/hello.txt'], preferredModel: null },
      containerState: { state: 'running' },
    })
    const { events } = (await (await app.request('/agent/sessions/s1/events?after=2')).json()) as {
      events: SessionEvent[]
    }
    expect(events[0]?.seq).toBe(3)
    expect(events.map((e) => e.type)).toContain('file_change')
    expect(await (await app.request('/agent/sessions/s1/files')).json()).toMatchObject({
      files: [expect.objectContaining({ path: 'notes/hello.txt' })],
    })
    expect(await (await app.request('/agent/sessions/s1/files/notes/hello.txt')).json()).toMatchObject({
      content: 'hello\n',
    })
  })

  it('renames, interrupts (idle: nothing to stop) and deletes a session with its workspace', async () => {
    const { app, json, containers } = appWith()
    await json('/agent/message', 'POST', { sessionId: 's1', message: 'hello' })
    expect(await (await json('/agent/sessions/s1', 'PATCH', { title: 'Greeter' })).json()).toMatchObject({
      title: 'Greeter',
    })
    expect(await (await app.request('/agent/sessions/s1/interrupt', { method: 'POST' })).json()).toEqual({
      interrupted: false,
    })
    expect((await app.request('/agent/sessions/s1', { method: 'DELETE' })).status).toBe(204)
    expect(containers.released).toEqual(['s1'])
    expect((await app.request('/agent/sessions/s1')).status).toBe(404)
  })

  it('answers bad input with a 4xx JSON error and changes nothing', async () => {
    const { app, json } = appWith()
    const cases: [Response | Promise<Response>, number][] = [
      [json('/agent/message', 'POST', '{not json'), 400],
      [json('/agent/message', 'POST', { sessionId: 'bad id!', message: 'x' }), 400],
      [json('/agent/message', 'POST', { sessionId: 's1' }), 400],
      [json('/agent/message', 'POST', { sessionId: 's1', message: 'x', model: 'm\u0000--ro-bind' }), 400],
      [json('/agent/message', 'POST', { sessionId: 's1', message: 'x'.repeat(MAX_BODY_BYTES) }), 413],
      [json('/agent/sessions/nobody', 'PATCH', { title: 'x' }), 404],
      [app.request('/agent/sessions/nobody/events'), 404],
      [app.request('/agent/sessions/s1/events?after=-1'), 400],
      [app.request('/agent/sessions/%ZZ'), 400],
      [app.request('/agent/nothing-here'), 404],
    ]
    for (const [response, status] of cases) {
      const res = await response
      expect(res.status).toBe(status)
      const body = (await res.json()) as { error?: { type?: unknown; message?: unknown } }
      expect(typeof body.error?.message).toBe('string')
    }
    expect(store.listSessions()).toEqual([])
  })

  it('asks for AUTH_TOKEN everywhere but /health', async () => {
    const { app, json } = appWith({ authToken: 'secret-token' })
    expect((await app.request('/health')).status).toBe(200)
    expect((await app.request('/agent/sessions')).status).toBe(401)
    expect(
      (await app.request('/agent/sessions', { headers: { authorization: 'Bearer wrong' } })).status,
    ).toBe(401)
    const ok = await json(
      '/agent/message',
      'POST',
      { sessionId: 's1', message: 'hi' },
      { authorization: 'Bearer secret-token' },
    )
    expect(ok.status).toBe(200)
  })

  it('limits turns per client with a 429 and retry-after, answering malformed requests without using the budget', async () => {
    const { json } = appWith({ turnLimiter: new RateLimiter({ perMinute: 1, burst: 1 }) })
    expect((await json('/agent/message', 'POST', '{bad')).status).toBe(400)
    expect((await json('/agent/message', 'POST', { sessionId: 's1', message: 'one' })).status).toBe(200)
    const limited = await json('/agent/message', 'POST', { sessionId: 's1', message: 'two' })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('refuses to read outside a session workspace', async () => {
    const { app, json } = appWith()
    await json('/agent/message', 'POST', { sessionId: 's1', message: 'hello' })
    mkdirSync(join(dir, 'sessions', 's2', 'workspace'), { recursive: true })
    writeFileSync(join(dir, 'sessions', 's2', 'workspace', 'secret.txt'), 'other session')
    for (const path of ['..%2F..%2Fs2%2Fworkspace%2Fsecret.txt', '%2Fetc%2Fpasswd', '..%2Fagent-router.db']) {
      const res = await app.request(`/agent/sessions/s1/files/${path}`)
      expect(res.status).toBeGreaterThanOrEqual(400)
      expect(await res.text()).not.toContain('other session')
    }
  })

  it('uploads a file through the path checks, past the JSON body limit, and downloads it and the workspace', async () => {
    const { app, json } = appWith()
    await json('/agent/message', 'POST', { sessionId: 's1', message: 'Create it' })
    const big = new Uint8Array(MAX_BODY_BYTES * 2).fill(65)
    const up = await app.request('/agent/sessions/s1/files/data/big%20file.bin', { method: 'PUT', body: big })
    expect(up.status).toBe(201)
    expect(await up.json()).toEqual({ path: 'data/big file.bin', size: big.length })
    const again = await app.request('/agent/sessions/s1/files/data/big%20file.bin', {
      method: 'PUT',
      body: 'x',
    })
    expect(again.status).toBe(409)
    const replaced = await app.request('/agent/sessions/s1/files/notes/hello.txt?replace=true', {
      method: 'PUT',
      body: 'replaced\n',
    })
    expect(replaced.status).toBe(201)
    const down = await app.request('/agent/sessions/s1/download/data/big%20file.bin')
    expect(down.headers.get('content-disposition')).toContain('filename="big file.bin"')
    expect(Buffer.from(await down.arrayBuffer()).equals(big)).toBe(true)
    const zip = await app.request('/agent/sessions/s1/download')
    expect(zip.headers.get('content-type')).toBe('application/zip')
    const entries = Object.keys(unzipSync(new Uint8Array(await zip.arrayBuffer()))).sort()
    expect(entries).toEqual(['data/big file.bin', 'notes/hello.txt'])
    expect(await (await app.request('/agent/sessions/s1/download/notes/hello.txt')).text()).toBe('replaced\n')

    for (const path of ['..%2Foutside.txt', '%2Ftmp%2Fx']) {
      const res = await app.request(`/agent/sessions/s1/files/${path}`, { method: 'PUT', body: 'x' })
      expect(res.status).toBe(400)
    }
    const tooBig = await app.request('/agent/sessions/s1/files/huge.bin', {
      method: 'PUT',
      body: 'x',
      headers: { 'content-length': String(MAX_UPLOAD_BYTES + 1) },
    })
    expect(tooBig.status).toBe(413)
    expect(
      (await app.request('/agent/sessions/nobody/files/a.txt', { method: 'PUT', body: 'x' })).status,
    ).toBe(404)
    expect((await app.request('/agent/sessions/s1/download/missing.txt')).status).toBe(404)
  })

  it('searches sessions by title and by what was said, with a snippet around the match', async () => {
    const { app, json } = appWith()
    await json('/agent/message', 'POST', { sessionId: 's1', message: 'Tell me about the heliotrope garden' })
    await json('/agent/message', 'POST', { sessionId: 's2', message: 'unrelated' })
    await json('/agent/sessions/s2', 'PATCH', { title: 'Heliotrope notes' })
    const res = await app.request('/agent/sessions?q=HELIOTROPE')
    const { sessions } = (await res.json()) as { sessions: { id: string; match: unknown }[] }
    expect(sessions.map((s) => [s.id, s.match])).toEqual([
      ['s2', { in: 'title' }],
      ['s1', { in: 'message', seq: 3, snippet: 'You said: Tell me about the heliotrope garden' }],
    ])
    const all = (await (await app.request('/agent/sessions?q=')).json()) as { sessions: unknown[] }
    expect(all.sessions).toHaveLength(2)
    expect((await app.request(`/agent/sessions?q=${'x'.repeat(201)}`)).status).toBe(400)
  })

  it('lists waiting prompts and answers one with "always allow" or a reason through POST .../permissions', async () => {
    const { app, json, agent, containers } = appWith()
    const turn = agent.session('p1').submit('Run npm test')
    await expect
      .poll(
        async () =>
          ((await (await app.request('/agent/permissions')).json()) as { waiting: unknown[] }).waiting,
      )
      .toEqual([{ sessionId: 'p1', requestId: expect.any(String), tool: 'Bash' }])
    const { waiting } = (await (await app.request('/agent/permissions')).json()) as {
      waiting: { requestId: string }[]
    }
    const state = (await (await app.request('/agent/sessions/p1')).json()) as { waitingPermissions: number }
    expect(state.waitingPermissions).toBe(1)
    const path = `/agent/sessions/p1/permissions/${waiting[0]!.requestId}`
    expect((await json(path, 'POST', { allow: true, remember: 'always' })).status).toBe(400)
    expect((await json(path, 'POST', { allow: true, remember: 'prefix' })).status).toBe(200)
    await turn
    const after = (await (await app.request('/agent/sessions/p1')).json()) as {
      claudeSession: { permissionRules: unknown[] }
    }
    expect(after.claudeSession.permissionRules).toEqual([
      { kind: 'prefix', tool: 'Bash', prefix: 'npm test' },
    ])

    const denied = agent.session('p1').submit('Run rm -rf build')
    await expect.poll(() => agent.waitingPrompts('p1').length).toBe(1)
    const [prompt] = agent.waitingPrompts('p1')
    const res = await json(`/agent/sessions/p1/permissions/${prompt!.requestId}`, 'POST', {
      allow: false,
      message: 'use npm run clean',
    })
    expect(res.status).toBe(200)
    await denied
    expect(containers.decisions.at(-1)?.decision).toEqual({
      allow: false,
      message: 'The user denied this tool call: use npm run clean',
    })
  })
})
