/**
 * One request per catalog row through the whole router against a scripted upstream: the URL, the auth header
 * and the body each provider gets. The expected addresses are written out here (LiteLLM's), not read from the
 * catalog, so a wrong row fails; a new row fails until it has a line here.
 */
import { describe, expect, it } from 'vitest'
import { scriptedFetch } from '../__fixtures__/harness.js'
import { anthropicMessageJson, completionJson, messages } from '../__fixtures__/router-setup.js'
import { createRouterApp } from '../app.js'
import { parseRouterConfig } from '../config/parse-config.js'
import { PROVIDER_NAMES, type ProviderName } from '../config/provider-names.js'

interface Expected {
  /** The variable LiteLLM reads the key from (keyless local servers have none). */
  key?: string
  /** Environment besides the key (`{NAME}` parts of the default address, or an address where there is none). */
  env?: Record<string, string>
  url: string
  /** The auth header and its value for key `k-<name>`; undefined: no key sent. */
  auth?: [string, string]
  /** The model field the provider gets for `model`. */
  model?: string
}

const KEYED = (name: string): [string, string] => ['authorization', `Bearer k-${name}`]

const EXPECTED: Record<ProviderName, Expected> = {
  groq: { key: 'GROQ_API_KEY', url: 'https://api.groq.com/openai/v1/chat/completions', auth: KEYED('groq') },
  openrouter: {
    key: 'OPENROUTER_API_KEY',
    url: 'https://openrouter.ai/api/v1/chat/completions',
    auth: KEYED('openrouter'),
  },
  openai: { key: 'OPENAI_API_KEY', url: 'https://api.openai.com/v1/chat/completions', auth: KEYED('openai') },
  ollama: { url: 'http://localhost:11434/v1/chat/completions' },
  anthropic: {
    key: 'ANTHROPIC_API_KEY',
    url: 'https://api.anthropic.com/v1/messages',
    auth: ['x-api-key', 'k-anthropic'],
  },
  deepseek: {
    key: 'DEEPSEEK_API_KEY',
    url: 'https://api.deepseek.com/v1/chat/completions',
    auth: KEYED('deepseek'),
  },
  hosted_vllm: {
    env: { HOSTED_VLLM_API_BASE: 'http://gpu:8000/v1' },
    url: 'http://gpu:8000/v1/chat/completions',
  },
  azure: {
    key: 'AZURE_API_KEY',
    env: { AZURE_API_BASE: 'https://res.openai.azure.com' },
    url: 'https://res.openai.azure.com/openai/deployments/m/chat/completions?api-version=2024-10-21',
    auth: ['api-key', 'k-azure'],
  },
  mistral: {
    key: 'MISTRAL_API_KEY',
    url: 'https://api.mistral.ai/v1/chat/completions',
    auth: KEYED('mistral'),
  },
  codestral: {
    key: 'CODESTRAL_API_KEY',
    url: 'https://codestral.mistral.ai/v1/chat/completions',
    auth: KEYED('codestral'),
  },
  gemini: {
    key: 'GEMINI_API_KEY',
    url: 'https://generativelanguage.googleapis.com/v1beta/openai/chat/completions',
    auth: KEYED('gemini'),
  },
  cerebras: {
    key: 'CEREBRAS_API_KEY',
    url: 'https://api.cerebras.ai/v1/chat/completions',
    auth: KEYED('cerebras'),
  },
  cohere: {
    key: 'COHERE_API_KEY',
    url: 'https://api.cohere.ai/compatibility/v1/chat/completions',
    auth: KEYED('cohere'),
  },
  together_ai: {
    key: 'TOGETHER_API_KEY',
    url: 'https://api.together.xyz/v1/chat/completions',
    auth: KEYED('together_ai'),
  },
  fireworks_ai: {
    key: 'FIREWORKS_API_KEY',
    url: 'https://api.fireworks.ai/inference/v1/chat/completions',
    auth: KEYED('fireworks_ai'),
    model: 'accounts/fireworks/models/m',
  },
  xai: { key: 'XAI_API_KEY', url: 'https://api.x.ai/v1/chat/completions', auth: KEYED('xai') },
  perplexity: {
    key: 'PERPLEXITYAI_API_KEY',
    url: 'https://api.perplexity.ai/chat/completions',
    auth: KEYED('perplexity'),
  },
  nvidia_nim: {
    key: 'NVIDIA_NIM_API_KEY',
    url: 'https://integrate.api.nvidia.com/v1/chat/completions',
    auth: KEYED('nvidia_nim'),
  },
  github: {
    key: 'GITHUB_API_KEY',
    url: 'https://models.inference.ai.azure.com/chat/completions',
    auth: KEYED('github'),
  },
  cloudflare: {
    key: 'CLOUDFLARE_API_KEY',
    env: { CLOUDFLARE_ACCOUNT_ID: 'acc42' },
    url: 'https://api.cloudflare.com/client/v4/accounts/acc42/ai/v1/chat/completions',
    auth: KEYED('cloudflare'),
  },
  deepinfra: {
    key: 'DEEPINFRA_API_KEY',
    url: 'https://api.deepinfra.com/v1/openai/chat/completions',
    auth: KEYED('deepinfra'),
  },
  hyperbolic: {
    key: 'HYPERBOLIC_API_KEY',
    url: 'https://api.hyperbolic.xyz/v1/chat/completions',
    auth: KEYED('hyperbolic'),
  },
  sambanova: {
    key: 'SAMBANOVA_API_KEY',
    url: 'https://api.sambanova.ai/v1/chat/completions',
    auth: KEYED('sambanova'),
  },
  lm_studio: { url: 'http://localhost:1234/v1/chat/completions' },
  llamafile: { url: 'http://127.0.0.1:8080/v1/chat/completions' },
  moonshot: {
    key: 'MOONSHOT_API_KEY',
    url: 'https://api.moonshot.ai/v1/chat/completions',
    auth: KEYED('moonshot'),
  },
  meta_llama: {
    key: 'LLAMA_API_KEY',
    url: 'https://api.llama.com/compat/v1/chat/completions',
    auth: KEYED('meta_llama'),
  },
  volcengine: {
    key: 'VOLCENGINE_API_KEY',
    url: 'https://ark.cn-beijing.volces.com/api/v3/chat/completions',
    auth: KEYED('volcengine'),
  },
  friendliai: {
    key: 'FRIENDLIAI_API_KEY',
    url: 'https://api.friendli.ai/serverless/v1/chat/completions',
    auth: KEYED('friendliai'),
  },
  veniceai: {
    key: 'VENICE_AI_API_KEY',
    url: 'https://api.venice.ai/api/v1/chat/completions',
    auth: KEYED('veniceai'),
  },
  scaleway: {
    key: 'SCW_SECRET_KEY',
    url: 'https://api.scaleway.ai/v1/chat/completions',
    auth: KEYED('scaleway'),
  },
  chutes: { key: 'CHUTES_API_KEY', url: 'https://llm.chutes.ai/v1/chat/completions', auth: KEYED('chutes') },
  litellm_proxy: {
    env: { LITELLM_PROXY_API_BASE: 'http://litellm:4000' },
    url: 'http://litellm:4000/chat/completions',
  },
  openai_like: {
    env: { OPENAI_LIKE_API_BASE: 'http://proxy:9000/v1' },
    url: 'http://proxy:9000/v1/chat/completions',
  },
  custom_openai: {
    env: { CUSTOM_OPENAI_API_BASE: 'http://proxy:9001/v1' },
    url: 'http://proxy:9001/v1/chat/completions',
  },
}

async function callRow(
  name: ProviderName,
  yaml?: string,
  extraEnv: Record<string, string> = {},
  keyVariable = EXPECTED[name].key,
) {
  const expected = EXPECTED[name]
  const upstream = scriptedFetch(() => ({
    body: name === 'anthropic' ? anthropicMessageJson('hi', 'm') : completionJson('hi'),
    headers: { 'content-type': 'application/json' },
  }))
  const app = createRouterApp({
    config: parseRouterConfig(yaml ?? `model_list: [{model_name: x, litellm_params: {model: ${name}/m}}]`),
    secrets: { ...(keyVariable && { [keyVariable]: `k-${name}` }), ...expected.env, ...extraEnv },
    fetch: upstream.fetch,
  })
  const res = await app.request('/v1/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(messages('x')),
  })
  return { res, calls: upstream.calls, expected }
}

describe('provider rows', () => {
  it('has an expected address for every row', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...PROVIDER_NAMES].sort())
  })

  it.each(PROVIDER_NAMES)('%s: URL, auth header and body model', async (name) => {
    const { res, calls, expected } = await callRow(name)
    expect(res.status).toBe(200)
    expect(calls).toHaveLength(1)
    const call = calls[0]!
    expect(call.url).toBe(expected.url)
    if (expected.auth) expect(call.headers.get(expected.auth[0])).toBe(expected.auth[1])
    else {
      expect(call.headers.get('authorization')).toBeNull()
      expect(call.headers.get('x-api-key')).toBeNull()
    }
    const body = JSON.parse(call.body) as Record<string, unknown>
    expect(body.model).toBe(expected.model ?? 'm')
    expect(body.messages).toEqual([{ role: 'user', content: 'hi' }])
  })

  it("adds /v1 to an Ollama api_base given LiteLLM's usual way, and to ollama_chat/", async () => {
    for (const model of ['ollama/llama3', 'ollama_chat/llama3']) {
      const yaml = `model_list: [{model_name: x, litellm_params: {model: ${model}, api_base: "http://gpu:11434"}}]`
      const { calls } = await callRow('ollama', yaml)
      expect(calls[0]?.url).toBe('http://gpu:11434/v1/chat/completions')
      expect(JSON.parse(calls[0]?.body ?? '{}').model).toBe('llama3')
    }
  })

  it("reads LiteLLM's other key variables, and an Azure api_version from the entry", async () => {
    const both = await callRow('together_ai', undefined, { TOGETHERAI_API_KEY: 'k-other' })
    expect(both.calls[0]?.headers.get('authorization')).toBe('Bearer k-together_ai')
    const other = await callRow('together_ai', undefined, { TOGETHERAI_API_KEY: 'k-other' }, 'UNUSED')
    expect(other.calls[0]?.headers.get('authorization')).toBe('Bearer k-other')
    const azure = await callRow(
      'azure',
      'model_list: [{model_name: x, litellm_params: {model: azure/prod-gpt4o, api_base: "https://eu.openai.azure.com/", api_version: "2025-01-01-preview"}}]',
    )
    expect(azure.calls[0]?.url).toBe(
      'https://eu.openai.azure.com/openai/deployments/prod-gpt4o/chat/completions?api-version=2025-01-01-preview',
    )
    expect(JSON.parse(azure.calls[0]?.body ?? '{}').max_completion_tokens).toBe(100)
  })
})
