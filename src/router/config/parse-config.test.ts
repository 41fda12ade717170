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

  it('names the file and the bad field', () => {
    const message = configError(() =>
      parseRouterConfig(
        'model_list:\n  - model_name: x\n    litellm_params: {model: mistral/large}\n',
        '/etc/router.yaml',
      ),
    )
    expect(message).toMatch(
      /^\/etc\/router\.yaml: model_list\[0\]\.litellm_params\.model: must start with a provider prefix/,
    )
    expect(configError(() => parseRouterConfig('model_list: []'))).toMatch(
      /model_list: model_list must list at least one model/,
    )
    expect(
      configError(() =>
        parseRouterConfig(
          'model_list: [{model_name: a, litellm_params: {model: groq/x, api_base: "not a url"}}]',
        ),
      ),
    ).toMatch(/model_list\[0\]\.litellm_params\.api_base: must be a URL/)
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
})
