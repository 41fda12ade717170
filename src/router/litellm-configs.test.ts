/**
 * LiteLLM configs in the shapes real projects write them, loaded unchanged and served: every entry either
 * serves or is disabled with its reason, every key is honoured or named in a warning, and the settings
 * LiteLLM applies (fallbacks and retries under litellm_settings, context-window fallbacks, default_model,
 * deployment defaults, usage-based routing, order, environment_variables) act on real requests.
 */
import { describe, expect, it } from 'vitest'
import { type RecordedCall, scriptedFetch, type UpstreamReply } from './__fixtures__/harness.js'
import azureBalanced from './__fixtures__/litellm-configs/azure-balanced.yaml?raw'
import claudeCodeProxy from './__fixtures__/litellm-configs/claude-code-proxy.yaml?raw'
import manyProviders from './__fixtures__/litellm-configs/many-providers.yaml?raw'
import ollamaLocal from './__fixtures__/litellm-configs/ollama-local.yaml?raw'
import reliability from './__fixtures__/litellm-configs/reliability.yaml?raw'
import { completionJson, messages } from './__fixtures__/router-setup.js'
import { createRouterApp } from './app.js'
import { configWarnings, describeEntries } from './config/config-report.js'
import { parseRouterConfig } from './config/parse-config.js'
import type { RouterLogger } from './usage/router-logger.js'

const ENV = {
  OPENAI_API_KEY: 'sk-openai',
  GROQ_API_KEY: 'gsk-groq',
  OPENROUTER_API_KEY: 'sk-or',
  GEMINI_API_KEY: 'gem-key',
  AZURE_API_KEY_EU: 'az-eu',
  AZURE_CA_SECRET: 'az-ca',
  CEREBRAS_API_KEY: 'c',
  COHERE_API_KEY: 'c',
  CLOUDFLARE_API_KEY: 'c',
  CLOUDFLARE_ACCOUNT_ID: 'acc',
  GITHUB_API_KEY: 'c',
  NVIDIA_NIM_API_KEY: 'c',
  MISTRAL_API_KEY: 'c',
  FIREWORKS_API_KEY: 'c',
  XAI_API_KEY: 'c',
  ROUTER_MASTER_KEY: 'sk-master',
}
const AUTH = { authorization: 'Bearer sk-master' }

function serve(yaml: string, reply: (call: RecordedCall, n: number) => UpstreamReply) {
  const warnings: string[] = []
  const logger: RouterLogger = { info() {}, warn: (_o, msg) => warnings.push(msg ?? ''), error() {} }
  const upstream = scriptedFetch((call) => reply(call, upstream.calls.length))
  const app = createRouterApp({
    config: parseRouterConfig(yaml),
    secrets: ENV,
    fetch: upstream.fetch,
    logger,
  })
  const send = (model: string) =>
    app.request('/v1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH },
      body: JSON.stringify(messages(model)),
    })
  return { app, send, calls: upstream.calls, warnings }
}

const ok = (): UpstreamReply => ({
  body: completionJson('ok'),
  headers: { 'content-type': 'application/json' },
})
const fail = (status: number, message: string): UpstreamReply => ({
  status,
  body: JSON.stringify({ error: { message } }),
  headers: { 'content-type': 'application/json' },
})
/** POSTs an OpenAI chat-completions body to the router app. */
const chat = (
  app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
  body: unknown,
) =>
  app.request('/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
const bodyOf = (call: RecordedCall | undefined) => JSON.parse(call?.body ?? '{}') as Record<string, unknown>

describe('LiteLLM configs as real projects write them', () => {
  it('reliability docs: serves all but the Hugging Face group, and names what it ignores', async () => {
    const config = parseRouterConfig(reliability)
    expect(config.model_list.map((e) => e.model_name)).toEqual([
      'gpt-3.5-turbo',
      'gpt-3.5-turbo-16k',
      'llama-fast',
    ])
    const { warnings, app } = serve(reliability, ok)
    expect(warnings).toEqual([
      "model_list[0] (zephyr-beta) is disabled: 'huggingface/' is not served by agent-router: Hugging Face's inference API is not OpenAI-compatible here",
      'litellm_settings.set_verbose is not supported by agent-router and is ignored: the log level is LOG_LEVEL',
    ])
    const health = (await (await app.request('/health')).json()) as { warnings: string[] }
    expect(health.warnings).toEqual(warnings)
  })

  it('reliability docs: fallbacks under litellm_settings answer after the retries run out', async () => {
    const { send, calls } = serve(reliability, (call) =>
      call.url.includes('groq') ? fail(429, 'rate limited') : ok(),
    )
    const res = await send('llama-fast')
    expect(res.status).toBe(200)
    // litellm_settings.num_retries: 1 -> two tries at Groq, then the fallback.
    expect(calls.map((c) => new URL(c.url).host)).toEqual(['api.groq.com', 'api.groq.com', 'api.openai.com'])
    expect(bodyOf(calls[2]).model).toBe('gpt-3.5-turbo')
  })

  it('reliability docs: a context-window error moves to the context_window_fallbacks model', async () => {
    const { send, calls } = serve(reliability, (call) =>
      bodyOf(call).model === 'gpt-3.5-turbo'
        ? fail(400, "This model's maximum context length is 4097 tokens. However, you requested 5000 tokens.")
        : ok(),
    )
    const res = await send('gpt-3.5-turbo')
    expect(res.status).toBe(200)
    expect(calls.map((c) => bodyOf(c).model)).toEqual(['gpt-3.5-turbo', 'gpt-3.5-turbo-16k'])
    // Any other 400 is the client's and is not retried elsewhere.
    const other = serve(reliability, () => fail(400, 'messages: field required'))
    expect((await other.send('gpt-3.5-turbo')).status).toBe(400)
    expect(other.calls).toHaveLength(1)
  })

  it('Claude Code proxy: deployment defaults, extra_body and headers are sent; default_model takes unknown names', async () => {
    const { send, calls, warnings } = serve(claudeCodeProxy, ok)
    expect((await send('claude-sonnet-4-5')).status).toBe(200)
    expect(calls[0]?.url).toBe('https://openrouter.ai/api/v1/chat/completions')
    expect(calls[0]?.headers.get('http-referer')).toBe('https://example.org/my-app')
    expect(bodyOf(calls[0])).toMatchObject({
      model: 'qwen/qwen3-coder',
      temperature: 0.2,
      provider: { order: ['cerebras'] },
    })
    // The client's own value wins over the deployment's default.
    const withOwn = serve(claudeCodeProxy, ok)
    await withOwn.app.request('/v1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH },
      body: JSON.stringify({ ...messages('claude-sonnet-4-5'), temperature: 0.9 }),
    })
    expect(bodyOf(withOwn.calls[0]).temperature).toBe(0.9)
    expect((await send('claude-opus-4-1')).status).toBe(200)
    expect(calls[1]?.url).toBe('https://api.groq.com/openai/v1/chat/completions')
    expect((await send('claude-haiku-4-5')).status).toBe(200)
    expect(calls[2]?.url).toBe('https://generativelanguage.googleapis.com/v1beta/openai/chat/completions')
    expect(warnings).toEqual([
      "model_list[2] (claude-haiku-4-5) is disabled: 'vertex_ai/' is not served by agent-router: Vertex AI needs Google Cloud credentials (use gemini/ with a GEMINI_API_KEY instead)",
      'litellm_settings.success_callback is not supported by agent-router and is ignored: no callbacks are run; usage is at GET /llm/usage and /llm/metrics',
      'model_list[*].model_info.mode (model_list[3]) is not supported by agent-router and is ignored',
    ])
  })

  it("Ollama on a laptop: api_base without /v1 reaches Ollama's OpenAI API through both prefixes", async () => {
    const { send, calls, warnings } = serve(ollamaLocal, ok)
    expect((await send('qwen')).status).toBe(200)
    expect((await send('qwen-chat')).status).toBe(200)
    expect(calls.map((c) => [c.url, bodyOf(c).model])).toEqual([
      ['http://localhost:11434/v1/chat/completions', 'qwen3:8b'],
      ['http://localhost:11434/v1/chat/completions', 'qwen3:8b'],
    ])
    expect(warnings).toEqual([
      "model_list[2] (llama2) is disabled: no provider can be inferred from the bare model name 'llama2'; write ollama/<name> for a local Ollama, or the provider prefix that hosts it",
    ])
  })

  it('Azure balanced: usage-based routing keeps each deployment under its rpm, in priority order', async () => {
    const { send, calls, warnings } = serve(azureBalanced, ok)
    for (let i = 0; i < 3; i++) expect((await send('gpt-4o')).status).toBe(200)
    const hosts = calls.map((c) => new URL(c.url).host)
    // Order 1 first: each Azure deployment once (rpm 1), then the order-2 OpenAI deployment.
    expect(new Set(hosts.slice(0, 2))).toEqual(
      new Set(['europe.openai.azure.com', 'canada.openai.azure.com']),
    )
    expect(hosts[2]).toBe('api.openai.com')
    const eu = calls.find((c) => c.url.includes('europe'))
    expect(eu?.url).toBe(
      'https://europe.openai.azure.com/openai/deployments/gpt-4o-eu/chat/completions?api-version=2024-08-01-preview',
    )
    expect(eu?.headers.get('api-key')).toBe('az-eu')
    // environment_variables: AZURE_API_KEY_CA is os.environ/AZURE_CA_SECRET.
    expect(calls.find((c) => c.url.includes('canada'))?.headers.get('api-key')).toBe('az-ca')
    expect(warnings).toEqual([
      'router_settings.redis_host is not supported by agent-router and is ignored: routing state is kept in this process',
      'general_settings.database_url is not supported by agent-router and is ignored: usage is recorded in the SQLite database under DATA_DIR',
      'general_settings.json_logs is not supported by agent-router and is ignored: logs are JSON lines whenever output is not a terminal',
      'general_settings.health_check_interval is not supported by agent-router and is ignored: no background health checks are run',
    ])
  })

  it('pre-call checks: a prompt over every deployment’s max_input_tokens goes to the context-window fallback', async () => {
    const yaml = `
model_list:
  - model_name: small
    litellm_params: {model: groq/llama-3.1-8b-instant}
    model_info: {max_input_tokens: 20}
  - model_name: big
    litellm_params: {model: openai/gpt-4.1}
    model_info: {max_input_tokens: 1000000}
router_settings:
  enable_pre_call_checks: true
  context_window_fallbacks: [{small: [big]}]
`
    const { app, calls, warnings } = serve(yaml, ok)
    expect(warnings).toEqual([])
    const ask = (text: string) =>
      app.request('/v1/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(messages('small', false, text)),
      })
    expect((await ask('hi')).status).toBe(200)
    expect((await ask('word '.repeat(200))).status).toBe(200)
    const long = { model: 'small', messages: [{ role: 'user', content: 'word '.repeat(200) }] }
    expect((await chat(app, long)).status).toBe(200)
    // The short prompt fits the small model; the long ones, on either endpoint, never reach it.
    expect(calls.map((c) => new URL(c.url).host)).toEqual([
      'api.groq.com',
      'api.openai.com',
      'api.openai.com',
    ])
  })

  it('names nested cache settings it does not use, and honours the cache itself', async () => {
    const yaml = `
model_list: [{model_name: m, litellm_params: {model: groq/llama-3.1-8b-instant}}]
litellm_settings:
  cache: true
  cache_params: {type: redis, host: redis.internal, ttl: 60}
`
    const { send, calls, warnings } = serve(yaml, ok)
    expect(warnings).toEqual([
      'litellm_settings.cache_params.type is not supported by agent-router and is ignored: answers are cached in this process’s memory (only ttl is read)',
      'litellm_settings.cache_params.host is not supported by agent-router and is ignored: answers are cached in this process’s memory (only ttl is read)',
    ])
    expect((await send('m')).status).toBe(200)
    expect((await send('m')).status).toBe(200)
    expect(calls).toHaveLength(1)
  })

  it('drop_params removes what the provider is known to reject, and additional_drop_params what the entry lists', async () => {
    const yaml = `
model_list:
  - model_name: fast
    litellm_params: {model: groq/llama-3.1-8b-instant, additional_drop_params: [logprobs, top_logprobs]}
`
    const { app, calls } = serve(yaml, ok)
    const res = await chat(app, {
      model: 'fast',
      logprobs: true,
      top_logprobs: 2,
      seed: 7,
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(res.status).toBe(200)
    expect(bodyOf(calls[0])).toEqual({
      model: 'llama-3.1-8b-instant',
      seed: 7,
      messages: [{ role: 'user', content: 'hi' }],
    })
    // reliability.yaml sets litellm_settings.drop_params: Groq rejects logit_bias, so it is not sent.
    const dropping = serve(reliability, ok)
    await chat(dropping.app, {
      model: 'llama-fast',
      logit_bias: { '1': 5 },
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(bodyOf(dropping.calls[0])).toEqual({
      model: 'llama-3.1-8b-instant',
      messages: [{ role: 'user', content: 'hi' }],
    })
    // Without drop_params the parameter goes to the provider as sent.
    const keeping = serve('model_list: [{model_name: f, litellm_params: {model: groq/x}}]', ok)
    await chat(keeping.app, {
      model: 'f',
      logit_bias: { '1': 5 },
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(bodyOf(keeping.calls[0]).logit_bias).toEqual({ '1': 5 })
  })

  it('many providers: every hosted provider serves; names that are not prefixes are disabled', async () => {
    const config = parseRouterConfig(manyProviders)
    expect(config.disabled.map((d) => d.modelName)).toEqual(['glm', 'mixtral'])
    expect(configWarnings(config)).toHaveLength(2)
    const lines = describeEntries(config, { ...ENV, OPENAI_API_KEY: undefined })
    expect(lines).toContain(
      'model_list[2] cf-llama -> cloudflare @cf/meta/llama-3.1-8b-instruct at https://api.cloudflare.com/client/v4/accounts/acc/ai/v1 (key: CLOUDFLARE_API_KEY, set)',
    )
    expect(lines).toContain(
      'model_list[8] gpt-5-mini -> openai gpt-5-mini at https://api.openai.com/v1 (key: OPENAI_API_KEY, NOT SET)',
    )
    const { send, calls } = serve(manyProviders, ok)
    for (const entry of config.model_list) expect((await send(entry.model_name)).status).toBe(200)
    expect(calls.map((c) => new URL(c.url).host)).toEqual([
      'api.cerebras.ai',
      'api.cohere.ai',
      'api.cloudflare.com',
      'models.inference.ai.azure.com',
      'integrate.api.nvidia.com',
      'api.mistral.ai',
      'api.openai.com',
      'api.fireworks.ai',
      'api.x.ai',
    ])
  })
})
