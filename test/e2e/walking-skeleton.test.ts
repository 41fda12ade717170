/**
 * The whole path once, real at every hop: WebSocket -> agent -> sandbox (container server process) -> Claude Code
 * (real Claude Agent SDK) -> router (groq/* translated to OpenAI chat completions) -> scripted model server,
 * with SQLite persistence and a server restart in the middle.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadServerConfig } from '../../src/config/config.js'
import type { SessionEvent } from '../../src/protocol/events.js'
import { createLogger } from '../../src/server/logger.js'
import { type RunningServer, startServer } from '../../src/server/start.js'
import {
  endsWithToolResult,
  isAgentRequest,
  lastUserText,
  type RecordedRequest,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../fixtures/scripted-model-server.js'
import { connectEvents, persisted, sendTurn, tempDir, writeGroqRouterConfig } from './helpers.js'

const PROVIDER_KEY = 'gsk_e2e_provider_key_4f9c2a7d1b3e'
const SESSION = 'skeleton-1'
const MODEL = 'groq/openai/gpt-oss-120b'

let scripted: ScriptedModelServer
const dir = tempDir()
const logLines: string[] = []
let server: RunningServer

function conversationText(request: RecordedRequest): string {
  return JSON.stringify(request.body.messages)
}

async function start(): Promise<RunningServer> {
  const env = {
    DATA_DIR: join(dir.path, 'data'),
    ROUTER_CONFIG: writeGroqRouterConfig(dir.path, scripted.openaiBaseUrl),
    PORT: '0',
    SANDBOX: 'none',
    GROQ_API_KEY: PROVIDER_KEY,
    LOG_LEVEL: 'debug',
  }
  const config = loadServerConfig(env, dir.path)
  const logger = createLogger({
    level: 'debug',
    secrets: () => [PROVIDER_KEY],
    destination: { write: (line: string) => logLines.push(line) },
  })
  return startServer(config, { logger })
}

const wsUrl = (after = 0) => `${server.url.replace('http', 'ws')}/demo/ws/${SESSION}?after=${after}`
/** Sends a message and collects the events of that turn (up to its closing status). */
const turn = (content: string, after: number) => sendTurn(wsUrl(after), after, { content, model: MODEL })

beforeAll(async () => {
  scripted = await startScriptedModelServer({
    respond: (request) => {
      if (!isAgentRequest(request)) return { text: 'Skeleton session' }
      if (endsWithToolResult(request)) return { text: 'I created hello.txt for you.' }
      const said = lastUserText(request)
      if (said.includes('Create hello.txt')) {
        const workspace = join(dir.path, 'data', 'sessions', SESSION, 'workspace')
        return {
          text: 'Creating the file.',
          toolCalls: [
            {
              name: 'Write',
              arguments: { file_path: join(workspace, 'hello.txt'), content: 'hello, world\n' },
            },
          ],
        }
      }
      return { text: `You said: ${said.slice(-80)}` }
    },
  })
  server = await start()
})

afterAll(async () => {
  await server?.close()
  await scripted?.close()
  dir.remove()
})

describe('walking skeleton', () => {
  let firstTurn: SessionEvent[] = []

  it('runs a tool-using turn over WebSocket: tool_use (Write), file_change, result, final status', async () => {
    const started = Date.now()
    firstTurn = await turn('Create hello.txt containing hello, world', 0)
    const wall = Date.now() - started
    console.info(`first turn wall time: ${wall} ms`)
    const types = firstTurn.map((e) => e.type)
    expect(types[0]).toBe('user_message')
    const toolUse = firstTurn.find((e) => e.type === 'tool_use')
    expect(toolUse?.content).toBe('Write hello.txt')
    expect(toolUse?.data).toMatchObject({ name: 'Write' })
    expect(firstTurn.find((e) => e.type === 'tool_result')?.data).toMatchObject({ isError: false })
    expect(firstTurn.find((e) => e.type === 'file_change')).toMatchObject({
      content: 'Created: hello.txt',
      data: { path: 'hello.txt', action: 'created' },
    })
    expect(firstTurn.filter((e) => e.type === 'result').map((e) => e.content)).toContain(
      'I created hello.txt for you.',
    )
    const last = firstTurn[firstTurn.length - 1]!
    expect(last.type).toBe('status')
    // Nothing waits behind the turn that just ended.
    expect(last.data).toMatchObject({ isRunning: false, model: MODEL, queued: 0 })
    // The turn's usage comes from the router, priced from the configured model's price table.
    const usage = (last.data as { turn: { modelCalls: number; inputTokens: number; costUsd: number } }).turn
    expect(usage.modelCalls).toBeGreaterThanOrEqual(2)
    expect(usage.inputTokens).toBeGreaterThan(0)
    expect(usage.costUsd).toBeGreaterThan(0)
    expect(usage.costUsd).toBeLessThan(0.01)
    expect(firstTurn.map((e) => e.seq)).toEqual(firstTurn.map((_, i) => i + 1))
    expect(types).not.toContain('error')

    const file = join(dir.path, 'data', 'sessions', SESSION, 'workspace', 'hello.txt')
    expect(readFileSync(file, 'utf8')).toBe('hello, world\n')
  })

  it('sends the provider key to the provider and nowhere else', async () => {
    const agentRequests = scripted.requests.filter(isAgentRequest)
    expect(agentRequests.length).toBeGreaterThanOrEqual(2)
    for (const request of scripted.requests)
      expect(request.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`)
    // The model name reaches the provider without the routing prefix.
    expect(agentRequests[0]?.body.model).toBe('openai/gpt-oss-120b')

    const debug = await fetch(`${server.url}/claude-code/debug?sessionId=${SESSION}`)
    expect(debug.status).toBe(200)
    const debugText = await debug.text()
    expect(debugText).toContain('ANTHROPIC_BASE_URL')
    expect((JSON.parse(debugText) as { prewarm?: string }).prewarm).toBe('adopted')
    expect(debugText).not.toContain(PROVIDER_KEY)
    expect(debugText).not.toMatch(/art_[0-9a-f]{64}/)
    expect(logLines.length).toBeGreaterThan(0)
    expect(logLines.join('\n')).not.toContain(PROVIDER_KEY)

    const sandboxPid = (JSON.parse(debugText) as { processInfo?: { pid?: number } }).processInfo?.pid
    if (sandboxPid !== undefined && existsSync(`/proc/${sandboxPid}/environ`)) {
      expect(readFileSync(`/proc/${sandboxPid}/environ`, 'utf8')).not.toContain(PROVIDER_KEY)
    }
  })

  it('gives the second turn the first one as context', async () => {
    const before = scripted.requests.length
    const started = Date.now()
    const events = await turn('What file did you just create?', firstTurn.length)
    console.info(`follow-up turn wall time: ${Date.now() - started} ms`)
    expect(events.find((e) => e.type === 'result')?.content).toContain(
      'You said: What file did you just create?',
    )
    const request = scripted.requests.slice(before).find(isAgentRequest)!
    expect(conversationText(request)).toContain('Create hello.txt containing hello, world')
    expect(conversationText(request)).toContain('I created hello.txt for you.')
  })

  it('replays the history in seq order after a restart, and a third turn still has the conversation', async () => {
    const client = await connectEvents(wsUrl(0))
    const beforeRestart = persisted(await client.waitFor((e) => e.type === 'status' && !('seq' in e)))
    await client.close()
    await server.close()

    server = await start()
    const replay = await connectEvents(wsUrl(0))
    const afterRestart = await replay.waitFor((e) => e.type === 'status' && !('seq' in e))
    await replay.close()
    expect(persisted(afterRestart)).toEqual(beforeRestart)
    expect(persisted(afterRestart).map((e) => e.seq)).toEqual(beforeRestart.map((_, i) => i + 1))
    const snapshot = afterRestart[afterRestart.length - 1]!
    expect(snapshot).toMatchObject({ type: 'status', data: { isRunning: false, model: MODEL } })

    const before = scripted.requests.length
    const events = await turn('And what did I ask first?', beforeRestart.length)
    expect(events[0]?.seq).toBe(beforeRestart.length + 1)
    expect(events.map((e) => e.type)).not.toContain('error')
    const request = scripted.requests.slice(before).find(isAgentRequest)!
    expect(conversationText(request)).toContain('Create hello.txt containing hello, world')
    expect(conversationText(request)).toContain('What file did you just create?')
  })
})
