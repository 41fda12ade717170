import { describe, expect, it } from 'vitest'
import { configError } from '../__fixtures__/harness.js'
import { parseRouterConfig } from './parse-config.js'

const SEED = `
model_list:
  - model_name: openrouter/*
    litellm_params:
      model: openrouter/*
      api_base: https://openrouter.ai/api/v1
  - model_name: groq/*
    litellm_params:
      model: groq/*
      api_base: https://api.groq.com/openai/v1
      api_key: os.environ/GROQ_API_KEY
router_settings:
  routing_strategy: 'least-busy'
  enable_loadbalancing: true
  num_retries: 3
  timeout: 30
  fallbacks: [{"groq/openai/gpt-oss-120b": ["openrouter/z-ai/glm-4.5"]}]
  allowed_fails: 2
  cooldown_time: 60
  model_group_alias: {fast: groq/openai/gpt-oss-20b}
  retry_policy:
    max_retries: 3
    timeout: 30
    exponential_backoff: true
general_settings:
  master_key: os.environ/ROUTER_MASTER_KEY
`

describe('router config', () => {
  it("accepts the seed's litellm_config.yaml and keeps router and general settings typed", () => {
    const config = parseRouterConfig(SEED)
    expect(config.model_list.map((m) => m.model_name)).toEqual(['openrouter/*', 'groq/*'])
    expect(config.router_settings).toMatchObject({
      routing_strategy: 'least-busy',
      num_retries: 3,
      fallbacks: [{ 'groq/openai/gpt-oss-120b': ['openrouter/z-ai/glm-4.5'] }],
      retry_policy: { max_retries: 3, timeout: 30, exponential_backoff: true },
    })
    expect(config.general_settings.master_key).toBe('os.environ/ROUTER_MASTER_KEY')
  })

  it("accepts LiteLLM's own retry_policy form", () => {
    const config = parseRouterConfig(
      'model_list: [{model_name: a, litellm_params: {model: openai/gpt-4o}}]\nrouter_settings: {retry_policy: {RateLimitErrorRetries: 3, AuthenticationErrorRetries: 0}}',
    )
    expect(config.router_settings.retry_policy).toEqual({
      RateLimitErrorRetries: 3,
      AuthenticationErrorRetries: 0,
    })
  })

  it('refuses a file that can serve nothing, naming the file and every entry with its reason', () => {
    const message = configError(() =>
      parseRouterConfig(
        [
          'model_list:',
          '  - model_name: x',
          '    litellm_params: {model: bedrock/anthropic.claude-v2}',
          '  - model_name: y',
          '    litellm_params: {model: groq/x, api_base: "not a url"}',
        ].join('\n'),
        '/etc/router.yaml',
      ),
    )
    expect(message).toMatch(/^\/etc\/router\.yaml: no model_list entry can be served: /)
    expect(message).toContain("model_list[0] (x): 'bedrock/' is not served by agent-router: AWS Bedrock")
    expect(message).toContain('model_list[1] (y): litellm_params.api_base: must be a URL')
    expect(configError(() => parseRouterConfig('model_list: []'))).toMatch(
      /model_list: model_list must list at least one model/,
    )
    expect(
      configError(() =>
        parseRouterConfig(
          'model_list: [{model_name: a, litellm_params: {model: groq/x}}]\nrouter_settings: {routing_strategy: random}',
        ),
      ),
    ).toMatch(/router_settings\.routing_strategy/)
    expect(
      configError(() =>
        parseRouterConfig('model_list: [{model_name: a, litellm_params: {model: "groq/*"}}]'),
      ),
    ).toMatch(/litellm_params\.model: litellm_params\.model may only contain/)
    expect(configError(() => parseRouterConfig('model_list: [oops'))).toMatch(/not valid YAML/)
    expect(configError(() => parseRouterConfig(''))).toMatch(/empty/)
  })

  it('disables only the entries it cannot serve, with a reason each, and serves the rest', () => {
    const config = parseRouterConfig(`
model_list:
  - model_name: fast
    litellm_params: {model: groq/llama-3.3-70b-versatile}
  - model_name: gemini-pro
    litellm_params: {model: vertex_ai/gemini-pro}
  - model_name: local
    litellm_params: {model: llama2}
  - model_name: hf
    litellm_params: {model: mistralai/Mistral-7B-Instruct-v0.2}
  - model_name: broken
    litellm_params: {model: openai/gpt-4o, rpm: many}
`)
    expect(config.model_list.map((e) => e.model_name)).toEqual(['fast'])
    expect(config.disabled).toEqual([
      {
        id: 'model_list[1]',
        modelName: 'gemini-pro',
        reason: expect.stringMatching(
          /^'vertex_ai\/' is not served by agent-router: Vertex AI needs Google Cloud/,
        ),
      },
      {
        id: 'model_list[2]',
        modelName: 'local',
        reason: expect.stringMatching(
          /no provider can be inferred from the bare model name 'llama2'; write ollama\//,
        ),
      },
      {
        id: 'model_list[3]',
        modelName: 'hf',
        reason: expect.stringMatching(/'mistralai\/' is not a provider prefix agent-router serves/),
      },
      { id: 'model_list[4]', modelName: 'broken', reason: expect.stringMatching(/^litellm_params\.rpm: /) },
    ])
  })

  it("places entries the way LiteLLM does: prefix, alias, custom_llm_provider, a known api_base, a bare model's family", () => {
    const config = parseRouterConfig(`
model_list:
  - {model_name: a, litellm_params: {model: gemini/gemini-2.5-flash}}
  - {model_name: b, litellm_params: {model: ollama_chat/qwen3:8b}}
  - {model_name: c, litellm_params: {model: my-model, custom_llm_provider: openai_like, api_base: "http://h:8000/v1"}}
  - {model_name: d, litellm_params: {model: llama-3.3-70b-versatile, api_base: "https://api.groq.com/openai/v1"}}
  - {model_name: e, litellm_params: {model: gpt-3.5-turbo}}
  - {model_name: f, litellm_params: {model: o4-mini}}
  - {model_name: g, litellm_params: {model: claude-sonnet-4-5}}
  - {model_name: h, litellm_params: {model: command-r-plus}}
  - {model_name: i, litellm_params: {model: cohere_chat/command-a-03-2025}}
`)
    expect(config.disabled).toEqual([])
    expect(config.model_list.map((e) => [e.model_name, e.provider, e.upstreamModel])).toEqual([
      ['a', 'gemini', 'gemini-2.5-flash'],
      ['b', 'ollama', 'qwen3:8b'],
      ['c', 'openai_like', 'my-model'],
      ['d', 'groq', 'llama-3.3-70b-versatile'],
      ['e', 'openai', 'gpt-3.5-turbo'],
      ['f', 'openai', 'o4-mini'],
      ['g', 'anthropic', 'claude-sonnet-4-5'],
      ['h', 'cohere', 'command-r-plus'],
      ['i', 'cohere', 'command-a-03-2025'],
    ])
  })

  it('takes keys written with no value as absent, as LiteLLM does', () => {
    const config = parseRouterConfig(`
model_list:
  - model_name: fast
    litellm_params:
      model: groq/llama-3.1-8b-instant
      api_key:
    model_info:
litellm_settings:
  # set_verbose: True
router_settings:
general_settings:
  master_key:
`)
    expect(config.model_list.map((e) => e.model_name)).toEqual(['fast'])
    expect(config.model_list[0]?.litellm_params.api_key).toBeUndefined()
    expect(config.litellm_settings).toEqual({})
    expect(config.general_settings.master_key).toBeUndefined()
  })
})
