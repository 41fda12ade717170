/**
 * A LiteLLM config as people bring it, end to end (real Claude Agent SDK, router, SQLite, container processes;
 * scripted upstream): Claude's own model name mapped to an Ollama-style entry whose `api_base` has no `/v1`,
 * fallbacks under `litellm_settings`, an entry the router cannot serve and a key it ignores. The file loads,
 * the turns are answered, and what is not honoured is named at `GET /llm/health`.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SessionEvent } from '../../src/protocol/events.js'
import type { RunningServer } from '../../src/server/start.js'
import {
  endsWithToolResult,
  isAgentRequest,
  lastUserText,
  type RecordedRequest,
  type ScriptedModelServer,
  type ScriptedTurn,
  startScriptedModelServer,
} from '../fixtures/scripted-model-server.js'
import { sendTurn, startGroqServer, tempDir } from './helpers.js'

const dir = tempDir('ar-litellm-config-')
let scripted: ScriptedModelServer
let server: RunningServer

function respond(request: RecordedRequest): ScriptedTurn {
  if (!isAgentRequest(request)) return { text: 'LiteLLM session' }
  if (endsWithToolResult(request)) return { text: 'Done.' }
  if (request.body.model === 'busy-model') return { status: 429, errorMessage: 'rate limit reached' }
  return { text: `echo from ${String(request.body.model)}: ${lastUserText(request)}` }
}

function writeConfig(): string {
  const file = join(dir.path, 'litellm_config.yaml')
  // Ollama's usual LiteLLM form: the server's root, without the /v1 its OpenAI API lives under.
  const ollamaRoot = scripted.openaiBaseUrl.replace(/\/v1$/, '')
  writeFileSync(
    file,
    `model_list:
  - model_name: claude-sonnet-4-5
    litellm_params:
      model: ollama_chat/qwen3:8b
      api_base: ${ollamaRoot}
  - model_name: busy
    litellm_params:
      model: groq/busy-model
      api_base: ${scripted.openaiBaseUrl}
      api_key: os.environ/GROQ_API_KEY
  - model_name: gemini-pro
    litellm_params:
      model: vertex_ai/gemini-1.5-pro
      vertex_project: my-project

litellm_settings:
  fallbacks: [{"busy": ["claude-sonnet-4-5"]}]
  set_verbose: true
`,
  )
  return file
}

/** One turn of a new session, on a new connection; its persisted events. */
const turn = (session: string, content: string, model: string) =>
  sendTurn(`${server.url.replace('http', 'ws')}/demo/ws/${session}`, 0, { content, model })

const ofType = (events: SessionEvent[], type: string) =>
  events
    .filter((e) => e.type === type)
    .map((e) => e.content)
    .join('\n')

beforeAll(async () => {
  scripted = await startScriptedModelServer({ respond })
  server = await startGroqServer({
    dir: dir.path,
    openaiBaseUrl: scripted.openaiBaseUrl,
    env: { ROUTER_CONFIG: writeConfig(), GROQ_API_KEY: 'gsk_litellm_config_key_0123456789' },
  })
})

afterAll(async () => {
  await server?.close()
  await scripted?.close()
  dir.remove()
})

describe('a LiteLLM config brought unchanged', () => {
  it("answers on Claude's model name through an Ollama entry whose api_base has no /v1", {
    timeout: 90_000,
  }, async () => {
    const events = await turn('l-ollama', 'hello via ollama', 'claude-sonnet-4-5')
    expect(ofType(events, 'error')).toBe('')
    expect(ofType(events, 'result')).toContain('echo from qwen3:8b: hello via ollama')
  })

  it('falls back as litellm_settings.fallbacks says when the model is rate limited', {
    timeout: 90_000,
  }, async () => {
    const events = await turn('l-fallback', 'hello despite a 429', 'busy')
    expect(ofType(events, 'error')).toBe('')
    expect(ofType(events, 'result')).toContain('echo from qwen3:8b: hello despite a 429')
    expect(scripted.requests.some((r) => isAgentRequest(r) && r.body.model === 'busy-model')).toBe(true)
  })

  it('names the entry it cannot serve and the key it ignores at /llm/health', async () => {
    const health = (await (await fetch(`${server.url}/llm/health`)).json()) as { warnings: string[] }
    expect(health.warnings).toEqual([
      "model_list[2] (gemini-pro) is disabled: 'vertex_ai/' is not served by agent-router: Vertex AI needs Google Cloud credentials (use gemini/ with a GEMINI_API_KEY instead)",
      'litellm_settings.set_verbose is not supported by agent-router and is ignored: the log level is LOG_LEVEL',
    ])
  })
})
