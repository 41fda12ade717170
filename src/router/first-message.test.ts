/**
 * Any one configured provider answers the first message: with only that provider's key (or, for Ollama, its
 * address) and no router config, the default model routes to that provider and a message gets an answer.
 */
import { describe, expect, it } from 'vitest'
import { type RecordedCall, scriptedFetch, type UpstreamReply } from './__fixtures__/harness.js'
import { anthropicMessageJson } from './__fixtures__/router-setup.js'
import { createRouterApp } from './app.js'
import { defaultRouterConfig } from './config/parse-config.js'
import { createRouterCore } from './router-core.js'

const BASE = 'http://upstream.test/v1'

function openAIAnswer(model: string): string {
  return JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model,
    choices: [
      { index: 0, message: { role: 'assistant', content: 'hello from upstream' }, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 3, completion_tokens: 2 },
  })
}

const anthropicAnswer = anthropicMessageJson('hello from upstream')

/** An upstream that lists `listed` and answers any message. */
function upstream(listed: string[]) {
  return scriptedFetch((call: RecordedCall): UpstreamReply => {
    const json = { 'content-type': 'application/json' }
    if (call.url.includes('/models'))
      return { headers: json, body: JSON.stringify({ data: listed.map((id) => ({ id })) }) }
    if (call.url.endsWith('/messages')) return { headers: json, body: anthropicAnswer }
    return { headers: json, body: openAIAnswer(String(JSON.parse(call.body).model)) }
  })
}

const CASES = [
  {
    provider: 'anthropic',
    env: { ANTHROPIC_API_KEY: 'k', ANTHROPIC_API_BASE: BASE },
    model: 'anthropic/claude-sonnet-4-5',
    listed: ['claude-sonnet-4-5', 'claude-haiku-4-5'],
  },
  {
    provider: 'openai',
    env: { OPENAI_API_KEY: 'k', OPENAI_API_BASE: BASE },
    model: 'openai/gpt-4.1',
    listed: ['gpt-4.1'],
  },
  {
    provider: 'deepseek',
    env: { DEEPSEEK_API_KEY: 'k', DEEPSEEK_API_BASE: BASE },
    model: 'deepseek/deepseek-chat',
    listed: ['deepseek-chat', 'deepseek-reasoner'],
  },
  {
    provider: 'openrouter',
    env: { OPENROUTER_API_KEY: 'k', OPENROUTER_API_BASE: BASE },
    model: 'openrouter/qwen/qwen3-coder',
    listed: ['z-ai/glm-4.5', 'qwen/qwen3-coder'],
  },
  {
    provider: 'groq',
    env: { GROQ_API_KEY: 'k', GROQ_API_BASE: BASE },
    model: 'groq/openai/gpt-oss-120b',
    listed: ['openai/gpt-oss-120b'],
  },
  {
    provider: 'ollama',
    env: { OLLAMA_API_BASE: 'http://upstream.test' },
    model: 'ollama/qwen3:8b',
    listed: ['qwen3:8b', 'llama3.2'],
  },
] as const

describe('first message with one provider configured', () => {
  for (const c of CASES) {
    it(`${c.provider}: the default model is ${c.model} and the first message is answered`, async () => {
      const { fetch, calls } = upstream([...c.listed])
      const options = { config: defaultRouterConfig(), secrets: { ...c.env }, fetch }
      const core = createRouterCore(options)
      expect(await core.lister.defaultModel()).toBe(c.model)
      // Only the configured provider is offered.
      const offered = await core.lister.models()
      expect(new Set(offered.map((m) => m.provider))).toEqual(new Set([c.provider]))
      expect(offered.map((m) => m.id)).toContain(c.model)

      const app = createRouterApp(options)
      const res = await app.request('/v1/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({
          model: c.model,
          max_tokens: 100,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      })
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({ content: [{ type: 'text', text: 'hello from upstream' }] })
      expect(calls.at(-1)?.url.startsWith('http://upstream.test/v1/')).toBe(true)
    })
  }

  it('offers nothing and starts nowhere when no provider is configured', async () => {
    const core = createRouterCore({ config: defaultRouterConfig(), secrets: {}, fetch: upstream([]).fetch })
    expect(core.lister.routes()).toEqual([])
    expect(await core.lister.defaultModel()).toBeUndefined()
  })

  it('falls back to the catalog default when the provider cannot list its models, and asks once per 10 min', async () => {
    const { fetch, calls } = scriptedFetch(() => ({ status: 503, body: '{}' }))
    const core = createRouterCore({ config: defaultRouterConfig(), secrets: { GROQ_API_KEY: 'k' }, fetch })
    expect((await core.lister.models()).map((m) => m.id)).toEqual(['groq/openai/gpt-oss-120b'])
    const listing = upstream(['openai/gpt-oss-120b', 'qwen/qwen3-32b'])
    const cached = createRouterCore({
      config: defaultRouterConfig(),
      secrets: { GROQ_API_KEY: 'k' },
      fetch: listing.fetch,
    })
    await cached.lister.models()
    expect((await cached.lister.models()).map((m) => m.id)).toEqual([
      'groq/openai/gpt-oss-120b',
      'groq/qwen/qwen3-32b',
    ])
    expect(listing.calls).toHaveLength(1)
    expect(calls[0]?.url).toBe('https://api.groq.com/openai/v1/models')
  })
})
