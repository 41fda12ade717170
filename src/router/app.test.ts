import Anthropic from '@anthropic-ai/sdk'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { fixture, outline, parseSse, scriptedFetch, type UpstreamReply } from './__fixtures__/harness.js'
import { createRouterApp } from './app.js'
import { defaultRouterConfig, parseRouterConfig } from './config/parse-config.js'
import { PROVIDER_NAMES } from './config/provider-names.js'
import type { RouterLogger } from './usage/router-logger.js'

const GROQ_KEY = 'gsk_secret_groq_key_123'
const SECRETS = {
  GROQ_API_KEY: GROQ_KEY,
  ANTHROPIC_API_KEY: 'sk-ant-secret-456',
  OPENROUTER_API_KEY: 'sk-or-789',
}
const MODEL = 'groq/openai/gpt-oss-120b'

function recordingLogger() {
  const lines: string[] = []
  const log = (level: string) => (obj: object, msg?: string) =>
    lines.push(`${level} ${msg ?? ''} ${JSON.stringify(obj)}`)
  const logger: RouterLogger = { info: log('info'), warn: log('warn'), error: log('error') }
  return { logger, lines }
}

function setup(
  replies: UpstreamReply[],
  options: { config?: string; authorize?: (t: string | undefined) => boolean } = {},
) {
  const upstream = scriptedFetch(replies)
  const { logger, lines } = recordingLogger()
  const app = createRouterApp({
    config: options.config ? parseRouterConfig(options.config) : defaultRouterConfig(),
    secrets: SECRETS,
    fetch: upstream.fetch,
    logger,
    authorize: options.authorize,
  })
  const client = new Anthropic({
    baseURL: 'http://router.test',
    apiKey: 'router-token',
    maxRetries: 0,
    fetch: (url, init) => Promise.resolve(app.request(String(url), init)),
  })
  return { app, client, calls: upstream.calls, logs: lines }
}

/** What Claude Code sends: system blocks with cache_control, tools, thinking and other Anthropic-only fields. */
function claudeCodeBody(extra: Record<string, unknown> = {}) {
  return {
    model: MODEL,
    max_tokens: 32000,
    stream: true,
    system: [
      { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Primary working directory: /workspace' },
    ],
    messages: [
      {
        role: 'user',
        content: [{ type: 'text', text: 'write hello.txt', cache_control: { type: 'ephemeral' } }],
      },
    ],
    tools: [
      {
        name: 'Write',
        description: 'Write a file',
        input_schema: {
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'object',
          properties: { file_path: { type: 'string' }, content: { type: 'string' } },
          required: ['file_path', 'content'],
          additionalProperties: false,
        },
      },
    ],
    thinking: { type: 'adaptive' },
    context_management: { edits: [] },
    output_config: { effort: 'high' },
    metadata: { user_id: 'u1' },
    ...extra,
  }
}

function post(app: Hono, body: unknown, headers: Record<string, string> = {}) {
  return app.request('/v1/messages?beta=true', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

describe('router app', () => {
  it('completes a tool-using turn that the official SDK parses', async () => {
    const { client, calls } = setup([{ body: fixture('text-then-tool'), split: 3 }])
    const message = await client.messages
      .stream(claudeCodeBody() as unknown as Anthropic.MessageStreamParams)
      .finalMessage()
    expect(message.model).toBe(MODEL)
    expect(message.stop_reason).toBe('tool_use')
    expect(message.content).toMatchObject([
      { type: 'text', text: 'Let me write it.' },
      {
        type: 'tool_use',
        id: 'call_write_1',
        name: 'Write',
        input: { file_path: 'hello.txt', content: 'hi' },
      },
    ])
    expect(message.usage).toMatchObject({ input_tokens: 60, output_tokens: 20, cache_read_input_tokens: 40 })

    expect(calls[0]?.url).toBe('https://api.groq.com/openai/v1/chat/completions')
    expect(calls[0]?.headers.get('authorization')).toBe(`Bearer ${GROQ_KEY}`)
    const sent = JSON.parse(calls[0]?.body ?? '{}')
    expect(sent).toEqual({
      model: 'openai/gpt-oss-120b',
      messages: [
        { role: 'system', content: 'You are Claude Code.\n\nPrimary working directory: /workspace' },
        { role: 'user', content: 'write hello.txt' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 32000,
      tools: [
        {
          type: 'function',
          function: {
            name: 'Write',
            description: 'Write a file',
            parameters: {
              type: 'object',
              properties: { file_path: { type: 'string' }, content: { type: 'string' } },
              required: ['file_path', 'content'],
              additionalProperties: false,
            },
          },
        },
      ],
    })
  })

  it('parses every recorded stream with the official SDK', async () => {
    for (const name of [
      'text',
      'parallel-interleaved',
      'ollama-index-zero',
      'reasoning',
      'two-choices',
      'empty-arguments',
      'tool-deltas',
      'cumulative-and-final-args',
      'missing-index-and-id',
      'usage-every-chunk',
      'content-filter',
      'length-mid-tool',
      'text-then-tool',
    ]) {
      const { client } = setup([{ body: fixture(name), split: 2 }])
      const message = await client.messages
        .stream(claudeCodeBody() as unknown as Anthropic.MessageStreamParams)
        .finalMessage()
      expect(message.model, name).toBe(MODEL)
      expect(message.content.length, name).toBeGreaterThan(0)
      for (const block of message.content) {
        if (block.type === 'text') expect(block.text, name).not.toBe('')
        if (block.type === 'tool_use') expect(typeof block.input, name).toBe('object')
      }
    }
  })

  it('surfaces a mid-stream upstream failure to the SDK as an error', async () => {
    const { client } = setup([{ body: fixture('mid-stream-error') }])
    await expect(
      client.messages.stream(claudeCodeBody() as unknown as Anthropic.MessageStreamParams).finalMessage(),
    ).rejects.toThrow(/Provider returned error/)
  })

  it('answers a non-streaming request with an Anthropic message', async () => {
    const completion = {
      id: 'chatcmpl-ns',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Done.',
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'Bash', arguments: '{"command":"ls"}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 4 },
    }
    const { client, calls } = setup([
      { body: JSON.stringify(completion), headers: { 'content-type': 'application/json' } },
    ])
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(message).toMatchObject({
      id: 'msg_chatcmpl-ns',
      model: MODEL,
      stop_reason: 'tool_use',
      content: [
        { type: 'text', text: 'Done.' },
        { type: 'tool_use', id: 'call_1', name: 'Bash', input: { command: 'ls' } },
      ],
      usage: { input_tokens: 10, output_tokens: 4 },
    })
    expect(JSON.parse(calls[0]?.body ?? '{}')).toMatchObject({ stream: false })
    expect(JSON.parse(calls[0]?.body ?? '{}').stream_options).toBeUndefined()
  })

  // Claude Code prints a 400's message as it is; a 404's it replaces with "It may not exist…".
  it('answers an unknown model with a 400 no_route naming the configured patterns', async () => {
    const { app, calls } = setup([])
    const res = await post(app, { ...claudeCodeBody(), model: 'nosuch/large' })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      type: 'error',
      error: {
        type: 'no_route',
        message: `no route for model 'nosuch/large'; configured patterns: ${PROVIDER_NAMES.map((p) => `${p}/*`).join(', ')}`,
      },
    })
    expect(calls).toHaveLength(0)
  })

  it('rejects an invalid request body with a 400 naming the field', async () => {
    const { app } = setup([])
    const res = await post(app, { model: MODEL, messages: [] })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } })
    const bad = await post(app, '{not json')
    expect(bad.status).toBe(400)
  })

  it('refuses a body over 32 MiB with a 413 and calls no upstream', async () => {
    const { app, calls } = setup([])
    const huge = JSON.stringify({
      model: MODEL,
      max_tokens: 1,
      messages: [{ role: 'user', content: 'x'.repeat(33 * 1024 * 1024) }],
    })
    const res = await post(app, huge)
    expect(res.status).toBe(413)
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } })
    expect(calls).toHaveLength(0)
  })

  it('keeps retry-after on an upstream 429 and never puts the key in the message', async () => {
    const body = JSON.stringify({
      error: { message: `Rate limit reached for key ${GROQ_KEY}`, type: 'tokens' },
    })
    const { app, logs } = setup([
      { status: 429, headers: { 'retry-after': '7', 'content-type': 'application/json' }, body },
    ])
    const res = await post(app, claudeCodeBody())
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('7')
    const json = (await res.json()) as { error: { type: string; message: string } }
    expect(json.error.type).toBe('rate_limit_error')
    expect(json.error.message).toContain(
      'groq at https://api.groq.com/openai/v1 returned 429: Rate limit reached',
    )
    expect(JSON.stringify(json)).not.toContain(GROQ_KEY)
    expect(logs.join('\n')).not.toContain(GROQ_KEY)
  })

  it.each([
    [503, 'overloaded_error'],
    [529, 'overloaded_error'],
    [401, 'authentication_error'],
    [400, 'invalid_request_error'],
    [500, 'api_error'],
  ])('maps an upstream %i to %s with the same status', async (status, type) => {
    const { app } = setup([{ status, body: '{"error":{"message":"nope"}}' }])
    const res = await post(app, claudeCodeBody())
    expect(res.status).toBe(status)
    expect(await res.json()).toMatchObject({ type: 'error', error: { type } })
  })

  it('answers 502 naming the provider and base URL when the upstream cannot be reached', async () => {
    const { logger, lines } = recordingLogger()
    const app = createRouterApp({
      config: defaultRouterConfig(),
      secrets: SECRETS,
      logger,
      fetch: async () => {
        throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:11434') })
      },
    })
    const res = await post(app, { ...claudeCodeBody(), model: 'ollama/qwen3' })
    expect(res.status).toBe(502)
    expect(await res.json()).toEqual({
      type: 'error',
      error: {
        type: 'api_error',
        message:
          'could not reach ollama at http://localhost:11434/v1: fetch failed: connect ECONNREFUSED 127.0.0.1:11434',
      },
    })
    expect(lines.join('\n')).not.toMatch(/secret/)
  })

  // A 5xx would be shown by Claude Code as "a server-side issue, usually temporary" and retried.
  it('says which variable is missing when a provider has no key, as a 400 invalid_config', async () => {
    const app = createRouterApp({
      config: defaultRouterConfig(),
      secrets: {},
      fetch: scriptedFetch([]).fetch,
    })
    const res = await post(app, claudeCodeBody())
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { type: string; message: string } }
    expect(body.error.type).toBe('invalid_config')
    expect(body.error.message).toMatch(/set GROQ_API_KEY/)
  })

  it('uses api_base, os.environ keys and exact names before wildcards from the config', async () => {
    const config = `
model_list:
  - model_name: "*"
    litellm_params: { model: "openrouter/*" }
  - model_name: groq/*
    litellm_params:
      model: groq/*
  - model_name: fast
    litellm_params:
      model: hosted_vllm/meta/llama-3
      api_base: http://vllm.local:8000/v1
      api_key: os.environ/MY_VLLM_KEY
`
    const upstream = scriptedFetch(() => ({ body: fixture('text') }))
    const app = createRouterApp({
      config: parseRouterConfig(config),
      secrets: { ...SECRETS, MY_VLLM_KEY: 'vllm-key' },
      fetch: upstream.fetch,
    })
    await (await post(app, { ...claudeCodeBody(), model: 'fast' })).text()
    await (await post(app, { ...claudeCodeBody(), model: 'groq/llama-3.3-70b-versatile' })).text()
    await (await post(app, { ...claudeCodeBody(), model: 'z-ai/glm-4.5' })).text()
    expect(
      upstream.calls.map((c) => [c.url, c.headers.get('authorization'), JSON.parse(c.body).model]),
    ).toEqual([
      ['http://vllm.local:8000/v1/chat/completions', 'Bearer vllm-key', 'meta/llama-3'],
      ['https://api.groq.com/openai/v1/chat/completions', `Bearer ${GROQ_KEY}`, 'llama-3.3-70b-versatile'],
      ['https://openrouter.ai/api/v1/chat/completions', 'Bearer sk-or-789', 'z-ai/glm-4.5'],
    ])
  })

  it('forwards anthropic/* byte-for-byte except the model, with version and beta headers and x-api-key', async () => {
    const sse = [
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}\n\n',
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"c2ln"}}\n\n',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}\n\n',
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    ].join('')
    const { app, calls } = setup([{ body: sse, split: 11 }])
    // Odd spacing and a nested "model" key must survive untouched.
    const raw = `{"model" :  "anthropic/claude-sonnet-4-5","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"Task","input_schema":{"type":"object","properties":{"model":{"type":"string"}}}}],  "x":1.0}`
    const res = await post(app, raw, {
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'interleaved-thinking-2025-05-14',
    })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(sse)
    expect(calls[0]?.url).toBe('https://api.anthropic.com/v1/messages?beta=true')
    expect(calls[0]?.body).toBe(raw.replace('"anthropic/claude-sonnet-4-5"', '"claude-sonnet-4-5"'))
    expect(calls[0]?.headers.get('x-api-key')).toBe('sk-ant-secret-456')
    expect(calls[0]?.headers.get('anthropic-version')).toBe('2023-06-01')
    expect(calls[0]?.headers.get('anthropic-beta')).toBe('interleaved-thinking-2025-05-14')
    expect(calls[0]?.headers.get('authorization')).toBeNull()
  })

  it('refuses requests the authorize hook rejects, with an Anthropic-shaped 401, but not /health', async () => {
    const { app } = setup([{ body: fixture('text') }], { authorize: (t) => t === 'good' })
    expect((await post(app, claudeCodeBody())).status).toBe(401)
    const bad = await post(app, claudeCodeBody(), { authorization: 'Bearer bad' })
    expect(await bad.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } })
    expect((await post(app, claudeCodeBody(), { 'x-api-key': 'good' })).status).toBe(200)
    expect((await app.request('/health')).status).toBe(200)
  })

  it('requires the master key when the config sets one and no authorize hook is given', async () => {
    const config =
      'model_list:\n  - model_name: groq/*\n    litellm_params: {model: groq/*}\ngeneral_settings:\n  master_key: os.environ/ROUTER_MASTER_KEY\n'
    const upstream = scriptedFetch(() => ({ body: fixture('text') }))
    const app = createRouterApp({
      config: parseRouterConfig(config),
      secrets: { ...SECRETS, ROUTER_MASTER_KEY: 'mk' },
      fetch: upstream.fetch,
    })
    expect((await post(app, claudeCodeBody(), { authorization: 'Bearer nope' })).status).toBe(401)
    expect((await post(app, claudeCodeBody(), { authorization: 'Bearer mk' })).status).toBe(200)
  })

  it('lists configured models and answers health', async () => {
    const { app } = setup([])
    const models = (await (await app.request('/v1/models')).json()) as {
      object: string
      data: { id: string; owned_by: string }[]
    }
    expect(models.object).toBe('list')
    expect(models.data.map((m) => [m.id, m.owned_by])).toContainEqual(['groq/*', 'groq'])
    expect(await (await app.request('/health')).json()).toEqual({ status: 'ok', warnings: [] })
  })

  it('works mounted under /llm in another Hono app', async () => {
    const { app } = setup([{ body: fixture('text') }])
    const server = new Hono()
    server.route('/llm', app)
    const res = await server.request('/llm/v1/messages?beta=true', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(claudeCodeBody()),
    })
    expect(outline(parseSse(await res.text())).map((e) => e[0])).toContain('message_stop')
    const missing = await server.request('/llm/v1/messages', { method: 'POST', body: '{}' })
    expect(missing.status).toBe(400)
    expect(await (await server.request('/llm/health')).json()).toEqual({ status: 'ok', warnings: [] })
  })
})
