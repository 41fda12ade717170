import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterEach, describe, expect, it } from 'vitest'
import SERVER_TOOLS_SSE from '../../__fixtures__/anthropic-server-tools.sse.txt?raw'
import SSE from '../../__fixtures__/anthropic-thinking-tool.sse.txt?raw'
import {
  type ScriptedHttpReply,
  type ScriptedHttpServer,
  startScriptedHttpServer,
} from '../../__fixtures__/scripted-http-server.js'
import { createRouterApp } from '../../app.js'
import { parseRouterConfig } from '../../config/parse-config.js'
import { InMemoryUsageSink } from '../../usage/usage-sink.js'
import { messagesUrl } from './anthropic.js'

const KEY = 'sk-ant-provider-key-123'

let upstream: ScriptedHttpServer | undefined
afterEach(async () => {
  await upstream?.close()
  upstream = undefined
})

async function setup(reply: (path: string) => ScriptedHttpReply) {
  upstream = await startScriptedHttpServer((r) => reply(r.path))
  const usage = new InMemoryUsageSink()
  const app = createRouterApp({
    config: parseRouterConfig(`
model_list:
  - model_name: sonnet
    litellm_params: {model: anthropic/claude-sonnet-4-5-20250929, api_base: ${upstream.url}}
  - model_name: anthropic/*
    litellm_params: {model: anthropic/*, api_base: ${upstream.url}}
`),
    secrets: { ANTHROPIC_API_KEY: KEY },
    usage,
    authorize: (token) => (token === 'session-token' ? { sessionId: 's1' } : token === 'admin'),
  })
  const fetchViaApp = (url: RequestInfo | URL, init?: RequestInit) =>
    Promise.resolve(app.request(String(url), init))
  return { app, usage, server: upstream, fetchViaApp }
}

const sseOf = (text: string): ScriptedHttpReply => ({
  headers: { 'content-type': 'text/event-stream', 'request-id': 'req_up_1' },
  chunks: text.match(/[\s\S]{1,37}/g) ?? [],
  gapMs: 1,
})
const sse = () => sseOf(SSE)

describe('anthropic pass-through', () => {
  it('forwards the body byte for byte except the model, with version and beta headers and the provider key', async () => {
    const { app, server } = await setup(sse)
    const raw =
      '{ "max_tokens" :32000,"model":"sonnet" , "stream":true,"thinking":{"type":"enabled","budget_tokens":1024},' +
      '"messages":[{"role":"user","content":[{"type":"text","text":"ls ✓","cache_control":{"type":"ephemeral"}}]}]}'
    const res = await app.request('/v1/messages?beta=true', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer session-token',
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'interleaved-thinking-2025-05-14,context-management-2025-06-27',
      },
      body: raw,
    })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(SSE)
    const sent = server.requests[0]
    expect(sent?.path).toBe('/v1/messages?beta=true')
    expect(sent?.body).toBe(raw.replace('"model":"sonnet"', '"model":"claude-sonnet-4-5-20250929"'))
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01')
    expect(sent?.headers['anthropic-beta']).toBe(
      'interleaved-thinking-2025-05-14,context-management-2025-06-27',
    )
    expect(sent?.headers['x-api-key']).toBe(KEY)
    expect(sent?.headers.authorization).toBeUndefined()
    expect(res.headers.get('request-id')).toBe('req_up_1')
  })

  it('streams thinking with its signature and tool input to the official SDK, and records usage for the session', async () => {
    const { usage, fetchViaApp } = await setup(sse)
    const client = new Anthropic({
      baseURL: 'http://router.test',
      apiKey: 'session-token',
      maxRetries: 0,
      fetch: fetchViaApp,
    })
    const message = await client.messages
      .stream({
        model: 'anthropic/claude-sonnet-4-5',
        max_tokens: 1000,
        messages: [{ role: 'user', content: 'ls' }],
      })
      .finalMessage()
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'I should list the files first.', signature: 'EqQBCkYIBxgCKkBxQ+/sig==' },
      { type: 'text', text: 'Listing ünïcode ✓ files.' },
      { type: 'tool_use', id: 'toolu_01A', name: 'Bash', input: { command: 'ls -la' } },
    ])
    await new Promise((r) => setTimeout(r, 10))
    const [entry] = usage.query({ sessionId: 's1' })
    expect(entry).toMatchObject({
      sessionId: 's1',
      endpoint: 'messages',
      model: 'anthropic/claude-sonnet-4-5',
      provider: 'anthropic',
      status: 200,
      inputTokens: 120,
      cacheReadTokens: 2048,
      outputTokens: 42,
    })
    expect(entry?.costUsd).toBeCloseTo((120 * 3 + 2048 * 0.3 + 42 * 15) / 1e6, 10)
    expect(entry?.ttftMs).toBeGreaterThan(0)
  })

  it("uses Anthropic's own count_tokens endpoint", async () => {
    const { app, server } = await setup(() => ({ chunks: ['{"input_tokens":1234}'] }))
    const res = await app.request('/v1/messages/count_tokens', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': 'admin',
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
    })
    expect(await res.json()).toEqual({ input_tokens: 1234 })
    expect(server.requests[0]?.path).toBe('/v1/messages/count_tokens')
    expect(JSON.parse(server.requests[0]?.body ?? '{}').model).toBe('claude-sonnet-4-5-20250929')
  })

  it('answers chat completions on anthropic/* to the official OpenAI client, streaming and not', async () => {
    const { server, fetchViaApp } = await setup((path) =>
      path.includes('messages')
        ? server.requests.at(-1)?.body.includes('"stream":true')
          ? sse()
          : {
              chunks: [
                JSON.stringify({
                  id: 'msg_2',
                  type: 'message',
                  role: 'assistant',
                  content: [
                    { type: 'text', text: 'Sure.' },
                    { type: 'tool_use', id: 'toolu_9', name: 'Read', input: { file_path: 'a' } },
                  ],
                  stop_reason: 'tool_use',
                  usage: { input_tokens: 10, output_tokens: 5 },
                }),
              ],
            }
        : { status: 404, chunks: [] },
    )
    const openai = new OpenAI({
      baseURL: 'http://router.test/v1',
      apiKey: 'admin',
      maxRetries: 0,
      fetch: fetchViaApp,
    })
    const completion = await openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'read a' },
      ],
      tools: [
        { type: 'function', function: { name: 'Read', parameters: { type: 'object', properties: {} } } },
      ],
    })
    expect(completion.choices[0]?.message.content).toBe('Sure.')
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls')
    expect(completion.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      id: 'toolu_9',
      function: { name: 'Read', arguments: '{"file_path":"a"}' },
    })
    expect(completion.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 })
    const sent = JSON.parse(server.requests[0]?.body ?? '{}')
    expect(sent).toMatchObject({
      model: 'claude-sonnet-4-5-20250929',
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'read a' }] }],
      tools: [{ name: 'Read', input_schema: { type: 'object', properties: {} } }],
    })

    const stream = await openai.chat.completions.create({
      model: 'sonnet',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'ls' }],
    })
    let text = ''
    let reasoning = ''
    let args = ''
    let finish: string | null | undefined
    let usageChunk: unknown
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined
      text += delta?.content ?? ''
      reasoning += delta?.reasoning_content ?? ''
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
      if (chunk.usage) usageChunk = chunk.usage
    }
    expect(text).toBe('Listing ünïcode ✓ files.')
    expect(reasoning).toBe('I should list the files first.')
    expect(JSON.parse(args)).toEqual({ command: 'ls -la' })
    expect(finish).toBe('tool_calls')
    expect(usageChunk).toMatchObject({ prompt_tokens: 2168, completion_tokens: 42 })
  })
})

type AppFetch = (url: RequestInfo | URL, init?: RequestInit) => Promise<Response>
const openaiVia = (fetch: AppFetch) =>
  new OpenAI({ baseURL: 'http://router.test/v1', apiKey: 'admin', maxRetries: 0, fetch })
const anthropicVia = (fetch: AppFetch) =>
  new Anthropic({ baseURL: 'http://router.test', apiKey: 'admin', maxRetries: 0, fetch })

describe('anthropic server tools on /v1/chat/completions', () => {
  it("leaves out web search, MCP and code execution blocks, keeps the text, and the openai SDK's stream helper parses it", async () => {
    const { fetchViaApp } = await setup(() => sseOf(SERVER_TOOLS_SSE))
    const openai = openaiVia(fetchViaApp)
    const stream = openai.chat.completions.stream({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'weather in NYC, then save it' }],
    })
    const final = await stream.finalChatCompletion()
    const message = final.choices[0]?.message
    expect(message?.content).toBe("I'll check the weather. It is sunny, 21°C.")
    expect(message?.tool_calls).toHaveLength(1)
    expect(message?.tool_calls?.[0]).toMatchObject({
      id: 'toolu_01Write',
      type: 'function',
      function: { name: 'Write', arguments: '{"file_path":"weather.txt","content":"sunny"}' },
    })
    expect(final.choices[0]?.finish_reason).toBe('tool_calls')
  })

  it('refuses n > 1 for anthropic/ models on /v1/chat/completions and on /v1/messages, saying why', async () => {
    const { fetchViaApp, server } = await setup(() => sse())
    const openai = openaiVia(fetchViaApp)
    await expect(
      openai.chat.completions.create({ model: 'sonnet', n: 2, messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('n: 2 is not supported: anthropic/'),
    })
    const anthropic = anthropicVia(fetchViaApp)
    await expect(
      anthropic.messages.create({
        model: 'sonnet',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
        // @ts-expect-error: not a Messages API field, sent by clients that mix the two APIs
        n: 3,
      }),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("n: 3 is not supported: Anthropic's Messages API"),
    })
    expect(server.requests).toHaveLength(0)
  })
})

describe('messagesUrl', () => {
  it('builds the Messages URL from a base URL with or without /v1', () => {
    expect(messagesUrl('https://api.anthropic.com')).toBe('https://api.anthropic.com/v1/messages')
    expect(messagesUrl('https://proxy/v1')).toBe('https://proxy/v1/messages')
  })
})
