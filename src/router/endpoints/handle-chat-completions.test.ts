import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { scriptedFetch } from '../__fixtures__/harness.js'
import { routerWith } from '../__fixtures__/router-setup.js'

const CONFIG = `
model_list:
  - model_name: fast
    litellm_params: {model: groq/openai/gpt-oss-20b}
  - model_name: groq/*
    litellm_params: {model: groq/*}
`

const SSE = [
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"openai/gpt-oss-20b","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}',
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"openai/gpt-oss-20b","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}',
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"openai/gpt-oss-20b","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}',
  'data: [DONE]',
  '',
].join('\n\n')

function setup(reply: { body: string; status?: number; headers?: Record<string, string> }) {
  const upstream = scriptedFetch(() => reply)
  const router = routerWith(CONFIG, upstream.fetch)
  const client = new OpenAI({
    baseURL: 'http://router.test/v1',
    apiKey: 'router-token',
    maxRetries: 0,
    fetch: (url, init) => Promise.resolve(router.app.request(String(url), init)),
  })
  return { ...router, client, calls: upstream.calls }
}

describe('POST /v1/chat/completions', () => {
  it('passes a streaming request through to an OpenAI-compatible provider with only the model rewritten', async () => {
    const { client, calls, usage } = setup({ body: SSE, headers: { 'content-type': 'text/event-stream' } })
    const stream = await client.chat.completions.create({
      model: 'fast',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'f',
            parameters: {
              $schema: 'x',
              type: 'object',
              properties: { a: { type: 'string', format: 'uri' } },
            },
          },
        },
      ],
    })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toBe('Hello')
    expect(calls[0]?.url).toBe('https://api.groq.com/openai/v1/chat/completions')
    expect(calls[0]?.headers.get('authorization')).toBe('Bearer gsk_test_key_1')
    const sent = JSON.parse(calls[0]?.body ?? '{}')
    expect(sent.model).toBe('openai/gpt-oss-20b')
    expect(sent.stream_options).toEqual({ include_usage: true })
    // Groq rejects these schema keywords: cleaned with the provider, like on /v1/messages.
    expect(sent.tools[0].function.parameters).toEqual({
      type: 'object',
      properties: { a: { type: 'string' } },
    })
    await new Promise((r) => setTimeout(r, 5))
    expect(usage.query({})[0]).toMatchObject({
      endpoint: 'chat_completions',
      model: 'fast',
      inputTokens: 9,
      outputTokens: 2,
      provider: 'groq',
    })
  })

  it('passes n > 1 through to an OpenAI-compatible provider and its choices back unchanged', async () => {
    const body = JSON.stringify({
      id: 'c2',
      object: 'chat.completion',
      created: 1,
      model: 'openai/gpt-oss-20b',
      choices: [0, 1].map((index) => ({
        index,
        message: { role: 'assistant', content: `answer ${index}` },
        finish_reason: 'stop',
      })),
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    })
    const { client, calls } = setup({ body, headers: { 'content-type': 'application/json' } })
    const completion = await client.chat.completions.create({
      model: 'fast',
      n: 2,
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(JSON.parse(calls[0]?.body ?? '{}').n).toBe(2)
    expect(completion.choices.map((c) => c.message.content)).toEqual(['answer 0', 'answer 1'])
  })

  it('keeps every byte of a request without tools except the model', async () => {
    const { app, calls } = setup({
      body: '{"id":"c","choices":[]}',
      headers: { 'content-type': 'application/json' },
    })
    const raw =
      '{"messages":[{"role":"user","content":"x ✓"}],  "model":"groq/llama-3.1-8b-instant","seed":7}'
    await app.request('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw,
    })
    expect(calls[0]?.body).toBe(raw.replace('groq/llama-3.1-8b-instant', 'llama-3.1-8b-instant'))
  })

  it('answers errors in the OpenAI shape the official client understands', async () => {
    const { client } = setup({
      status: 429,
      body: '{"error":{"message":"slow down"}}',
      headers: { 'retry-after': '9' },
    })
    const err = await client.chat.completions
      .create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OpenAI.RateLimitError)
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).message).toMatch(/slow down/)
    const missing = await client.chat.completions
      .create({ model: 'nope/x', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(OpenAI.BadRequestError)
  })

  it('lists the configured models to the OpenAI client', async () => {
    const { client } = setup({ body: '' })
    const ids: string[] = []
    for await (const model of client.models.list()) ids.push(model.id)
    // The scripted upstream cannot list its models, so groq/* offers the catalog's default model.
    expect(ids).toEqual(['fast', 'groq/openai/gpt-oss-120b', 'groq/*'])
  })
})
