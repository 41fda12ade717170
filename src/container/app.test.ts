import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import {
  endsWithToolResult,
  isAgentRequest,
  lastUserText,
  type RecordedRequest,
  type ScriptedModelServer,
  type ScriptedTurn,
  startScriptedModelServer,
  workingDirectoryOf,
} from '../../test/fixtures/scripted-model-server.js'
import { type ContainerConfig, loadContainerConfig } from '../config/config.js'
import { buildContainerApp, createContainerApp } from './app.js'

const ROUTER_TOKEN = 'session-router-token-0123456789'

let model: ScriptedModelServer
let root: string

/** Write `<name>` with `content` when the prompt says `write <name> <content>`; otherwise answer text. */
function respond(request: RecordedRequest): ScriptedTurn {
  if (!isAgentRequest(request)) return { text: 'A title' }
  if (endsWithToolResult(request)) return { text: 'Done writing.' }
  const prompt = lastUserText(request)
  const write = /write (\S+) (\S+)/.exec(prompt)
  if (write !== null) {
    const cwd = workingDirectoryOf(request) ?? '/nonexistent'
    return {
      toolCalls: [{ name: 'Write', arguments: { file_path: join(cwd, write[1]!), content: write[2]! } }],
    }
  }
  return { text: `You said: ${prompt.slice(0, 40)}` }
}

function configFor(dir: string, extra: Record<string, string> = {}): ContainerConfig {
  mkdirSync(join(dir, 'claude'), { recursive: true })
  return loadContainerConfig({
    PATH: process.env.PATH,
    WORKSPACE_DIR: join(dir, 'workspace'),
    CLAUDE_CONFIG_DIR: join(dir, 'claude'),
    ANTHROPIC_BASE_URL: model.anthropicBaseUrl,
    ANTHROPIC_AUTH_TOKEN: ROUTER_TOKEN,
    ANTHROPIC_MODEL: 'groq/openai/gpt-oss-120b',
    ...extra,
  })
}

function ndjson(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

beforeAll(async () => {
  model = await startScriptedModelServer({ respond })
  root = mkdtempSync(join(tmpdir(), 'container-app-'))
})

afterAll(async () => {
  await model.close()
  rmSync(root, { recursive: true, force: true, maxRetries: 5 })
})

describe('container app', () => {
  it('answers the health check', async () => {
    const app = createContainerApp(configFor(join(root, 'health')))
    const res = await app.request('/')
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: 'healthy', service: 'claude-code-container' })
  })

  it('rejects a body that is not ClaudeCodeOptions with a 400', async () => {
    const app = createContainerApp(configFor(join(root, 'invalid')))
    for (const body of [
      'not json',
      JSON.stringify({ prompt: '' }),
      JSON.stringify({ prompt: 'x', maxTurns: 0 }),
    ]) {
      const res = await app.request('/', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      })
      expect(res.status).toBe(400)
      const json = (await res.json()) as { error: { type: string; message: string } }
      expect(json.error.type).toBe('invalid_request_error')
      expect(json.error.message.length).toBeGreaterThan(0)
    }
    const wrongSession = await app.request('/', {
      method: 'POST',
      body: JSON.stringify({ prompt: 'hi', sessionId: '../etc' }),
    })
    expect(wrongSession.status).toBe(400)
  })

  it('redacts secrets in /debug', async () => {
    const app = createContainerApp(
      configFor(join(root, 'debug'), {
        MY_SERVICE_PASSWORD: 'hunter2-hunter2',
        SOME_URL: `http://x/?t=${ROUTER_TOKEN}`,
      }),
    )
    const res = await app.request('/debug')
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).not.toContain(ROUTER_TOKEN)
    expect(text).not.toContain('hunter2-hunter2')
    const json = JSON.parse(text) as {
      apiConfiguration: Record<string, unknown>
      environment: Record<string, unknown>
      processInfo: { pid: number }
    }
    expect(json.apiConfiguration.ANTHROPIC_BASE_URL).toBe(model.anthropicBaseUrl)
    expect(json.apiConfiguration.ANTHROPIC_AUTH_TOKEN).toBe('[REDACTED]')
    expect(json.environment.ANTHROPIC_AUTH_TOKEN).toBe('[REDACTED]')
    expect(json.environment.MY_SERVICE_PASSWORD).toBe('[REDACTED]')
    expect(json.environment.SOME_URL).toBe('http://x/?t=[REDACTED]')
    expect(json.processInfo.pid).toBe(process.pid)
  })

  it('streams a real Claude Code turn as NDJSON and the written file lands in the workspace', {
    timeout: 60_000,
  }, async () => {
    const dir = join(root, 'stream')
    const config = configFor(dir)
    const runs = new Set<AbortController>()
    const app = buildContainerApp(config, runs)
    onTestFinished(() => {
      for (const run of runs) run.abort()
    })
    const started = Date.now()
    const res = await app.request('/', {
      method: 'POST',
      body: JSON.stringify({ prompt: 'please write hello.txt hi-there', sessionId: 'sess-1' }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/x-ndjson')
    const lines = ndjson(await res.text())
    console.info(`one Claude Code turn with a Write call: ${Date.now() - started} ms`)
    const types = lines.map((l) => l.type)
    expect(types[0]).toBe('system')
    expect(lines[0]).toMatchObject({
      subtype: 'init',
      cwd: config.workspaceDir,
      model: 'groq/openai/gpt-oss-120b',
    })
    expect(types).toContain('assistant')
    expect(types.at(-1)).toBe('result')
    expect(lines.at(-1)).toMatchObject({ subtype: 'success', is_error: false, result: 'Done writing.' })
    expect(readFileSync(join(config.workspaceDir, 'hello.txt'), 'utf8')).toBe('hi-there')
    const agentCall = model.requests.filter(isAgentRequest).at(-1)!
    expect(agentCall.headers.authorization).toBe(`Bearer ${ROUTER_TOKEN}`)
  })

  it('resumes the Claude Code session in a second request', { timeout: 60_000 }, async () => {
    const config = configFor(join(root, 'resume'))
    const app = createContainerApp(config)
    const first = await app.request('/', {
      method: 'POST',
      body: JSON.stringify({ prompt: 'remember the word pineapple', stream: false }),
    })
    expect(first.status).toBe(200)
    const firstJson = (await first.json()) as {
      type: string
      result: string
      sessionId: string
      requestId: string
    }
    expect(firstJson).toMatchObject({ type: 'result', result: 'You said: remember the word pineapple' })
    expect(firstJson.requestId).toMatch(/^req_/)
    const before = model.requests.length
    const second = await app.request('/', {
      method: 'POST',
      body: JSON.stringify({
        prompt: 'what was the word?',
        resumeSessionId: firstJson.sessionId,
        stream: false,
      }),
    })
    expect(second.status).toBe(200)
    expect(((await second.json()) as { sessionId: string }).sessionId).toBe(firstJson.sessionId)
    const sent = JSON.stringify(model.requests.slice(before).filter(isAgentRequest).at(-1)?.body.messages)
    expect(sent).toContain('remember the word pineapple')
    expect(sent).toContain('what was the word?')
  })

  it('runs without a session in a temp sandbox renamed to the Claude Code session id', {
    timeout: 60_000,
  }, async () => {
    const sessionsDir = join(root, 'sessions')
    const app = createContainerApp(configFor(join(root, 'temp'), { SESSIONS_DIR: sessionsDir }))
    const res = await app.request('/', {
      method: 'POST',
      body: JSON.stringify({ prompt: 'write note.md temp-file', stream: false }),
    })
    expect(res.status).toBe(200)
    const { sessionId } = (await res.json()) as { sessionId: string }
    expect(readdirSync(sessionsDir)).toEqual([sessionId])
    expect(readFileSync(join(sessionsDir, sessionId, 'workspace', 'note.md'), 'utf8')).toBe('temp-file')

    const resumed = await app.request('/', {
      method: 'POST',
      body: JSON.stringify({ prompt: 'write second.md again', resumeSessionId: sessionId, stream: false }),
    })
    expect(resumed.status).toBe(200)
    const sent = JSON.stringify(model.requests.filter(isAgentRequest).at(-1)?.body.messages)
    expect(sent).toContain('write note.md temp-file')
    expect(existsSync(join(sessionsDir, sessionId, 'workspace', 'second.md'))).toBe(true)
  })

  it('ends the stream with an error line when Claude Code cannot start', { timeout: 60_000 }, async () => {
    const missing = join(root, 'no-such-claude')
    const app = createContainerApp(configFor(join(root, 'broken'), { CLAUDE_CODE_EXECUTABLE: missing }))
    const res = await app.request('/', { method: 'POST', body: JSON.stringify({ prompt: 'hello' }) })
    expect(res.status).toBe(200)
    const last = ndjson(await res.text()).at(-1)!
    expect(last).toMatchObject({ type: 'error', error: { type: 'api_error' } })
    expect((last.error as { message: string }).message).toContain('no-such-claude')

    const plain = await app.request('/', {
      method: 'POST',
      body: JSON.stringify({ prompt: 'hello', stream: false }),
    })
    expect(plain.status).toBe(500)
    expect(await plain.json()).toMatchObject({ error: { type: 'api_error' } })
  })

  it('answers a 5xx JSON error when the model refuses and the run is not streamed', {
    timeout: 60_000,
  }, async () => {
    const refusing = await startScriptedModelServer({
      respond: () => ({ status: 400, errorMessage: 'model groq/nope does not exist' }),
    })
    try {
      const app = createContainerApp(
        configFor(join(root, 'refused'), { ANTHROPIC_BASE_URL: refusing.anthropicBaseUrl }),
      )
      const res = await app.request('/', {
        method: 'POST',
        body: JSON.stringify({ prompt: 'hello', stream: false }),
      })
      expect(res.status).toBe(502)
      const json = (await res.json()) as { error: { type: string; message: string } }
      expect(json.error.type).toBe('api_error')
      expect(json.error.message).toContain('does not exist')
    } finally {
      await refusing.close()
    }
  })
})
