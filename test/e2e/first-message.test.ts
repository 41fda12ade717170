/**
 * Real Claude Code, real router, no router config: with only ANTHROPIC_API_KEY set the first message is
 * answered on the default model, and a model whose provider has no key ends in an `error` event that says
 * which variable to set (not Claude Code's "server-side issue" text).
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadServerConfig } from '../../src/config/config.js'
import { createLogger } from '../../src/server/logger.js'
import { type RunningServer, startServer } from '../../src/server/start.js'
import {
  isAgentRequest,
  lastUserText,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../fixtures/scripted-model-server.js'
import { sendTurn, tempDir } from './helpers.js'

const KEY = 'sk-ant-e2e-first-message-7c1d'
const dir = tempDir('ar-first-')
let scripted: ScriptedModelServer
let server: RunningServer

beforeAll(async () => {
  scripted = await startScriptedModelServer({
    respond: (request) =>
      isAgentRequest(request) ? { text: `answer: ${lastUserText(request).slice(-40)}` } : { text: 'Title' },
  })
  const env = {
    DATA_DIR: join(dir.path, 'data'),
    PORT: '0',
    SANDBOX: 'none',
    ANTHROPIC_API_KEY: KEY,
    ANTHROPIC_API_BASE: scripted.anthropicBaseUrl,
  }
  const logger = createLogger({ level: 'silent', secrets: () => [KEY] })
  server = await startServer(loadServerConfig(env, dir.path), { logger })
})

afterAll(async () => {
  await server?.close()
  await scripted?.close()
  dir.remove()
})

const ws = (session: string) => `${server.url.replace('http', 'ws')}/demo/ws/${session}`

describe('first message with only ANTHROPIC_API_KEY', () => {
  it('answers on the Anthropic default model without any other setting', async () => {
    const info = (await (await fetch(`${server.url}/agent/info`)).json()) as { defaultModel: string }
    expect(info.defaultModel).toBe('anthropic/claude-sonnet-4-5')
    const events = await sendTurn(ws('only-anthropic'), 0, { content: 'hello there' })
    expect(events.filter((e) => e.type === 'error')).toEqual([])
    expect(events.filter((e) => e.type === 'result').map((e) => e.content)).toContain('answer: hello there')
    const models = scripted.requests.filter(isAgentRequest).map((r) => r.body.model)
    expect(models).toContain('claude-sonnet-4-5')
  })

  it('tells the person which key to set when the chosen model has none', async () => {
    const events = await sendTurn(ws('no-groq-key'), 0, { content: 'hi', model: 'groq/openai/gpt-oss-120b' })
    const error = events.find((e) => e.type === 'error')
    expect(error?.content).toMatch(/set GROQ_API_KEY/)
    expect(error?.content).not.toMatch(/server-side issue/)
  })
})
