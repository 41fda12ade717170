import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterEach, describe, expect, it } from 'vitest'
import { fixture } from '../__fixtures__/harness.js'
import { serveRouterOver, sseChunk, startRawUpstream } from '../__fixtures__/raw-upstream.js'
import { type ScriptedHttpServer, startScriptedHttpServer } from '../__fixtures__/scripted-http-server.js'
import { parseRouterConfig } from '../config/parse-config.js'
import { readText } from '../providers/upstream.js'
import { InMemoryUsageSink } from '../usage/usage-sink.js'
import { nodeUpstream } from './node-upstream.js'
import { serveRouter } from './serve-router.js'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

async function upstreamWith(
  body: (path: string, requestBody: string) => string[],
  gapMs = 0,
): Promise<ScriptedHttpServer> {
  const server = await startScriptedHttpServer((r) => ({
    headers: { 'content-type': r.body.includes('"stream":true') ? 'text/event-stream' : 'application/json' },
    chunks: body(r.path, r.body),
    gapMs,
  }))
  closers.push(() => server.close())
  return server
}

async function routerFor(upstream: ScriptedHttpServer) {
  const usage = new InMemoryUsageSink()
  const running = await serveRouter(
    {
      config: parseRouterConfig(`
model_list:
  - model_name: groq/*
    litellm_params: {model: groq/*, api_base: ${upstream.url}/openai/v1}
general_settings: {master_key: router-key}
`),
      secrets: { GROQ_API_KEY: 'gsk_k' },
      usage,
    },
    { port: 0 },
  )
  closers.push(() => running.close())
  return { url: `http://127.0.0.1:${running.port}`, usage }
}

describe('serveRouter (the router alone on node:http)', () => {
  it('serves a streamed tool-using turn to the official Anthropic SDK over a real socket', async () => {
    const upstream = await upstreamWith(() => fixture('text-then-tool').match(/[\s\S]{1,50}/g) ?? [], 1)
    const { url, usage } = await routerFor(upstream)
    const client = new Anthropic({ baseURL: url, apiKey: 'router-key', maxRetries: 0 })
    const message = await client.messages
      .stream({
        model: 'groq/openai/gpt-oss-120b',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'go' }],
      })
      .finalMessage()
    expect(message.model).toBe('groq/openai/gpt-oss-120b')
    expect(message.content).toMatchObject([
      { type: 'text', text: 'Let me write it.' },
      { type: 'tool_use', name: 'Write', input: { file_path: 'hello.txt', content: 'hi' } },
    ])
    expect(upstream.requests[0]?.path).toBe('/openai/v1/chat/completions')
    expect(upstream.requests[0]?.headers.authorization).toBe('Bearer gsk_k')
    await new Promise((r) => setTimeout(r, 20))
    expect(usage.query({})[0]).toMatchObject({
      status: 200,
      inputTokens: 60,
      cacheReadTokens: 40,
      outputTokens: 20,
    })
  })

  it('passes chat completions through to the official OpenAI client and answers the rest through the app', async () => {
    const completion = JSON.stringify({
      id: 'c',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 },
    })
    const upstream = await upstreamWith(() => [completion])
    const { url } = await routerFor(upstream)
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'router-key', maxRetries: 0 })
    const answer = await openai.chat.completions.create({
      model: 'groq/llama-3.1-8b-instant',
      messages: [{ role: 'user', content: 'ping' }],
    })
    expect(answer.choices[0]?.message.content).toBe('pong')
    expect(JSON.parse(upstream.requests[0]?.body ?? '{}').model).toBe('llama-3.1-8b-instant')

    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok', warnings: [] })
    const refused = await fetch(`${url}/v1/messages`, { method: 'POST', body: '{}' })
    expect(refused.status).toBe(401)
    expect(await refused.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } })
    const metrics = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer router-key' } })
    expect(await metrics.text()).toContain('router_requests_total')
  })
})

describe('nodeUpstream', () => {
  it('keeps the upstream connection for the next request after a translated stream ends', async () => {
    const body = `${sseChunk({ role: 'assistant', content: 'hi' })}${sseChunk({}, 'stop')}data: [DONE]\n\n`
    // The body's end comes a moment after `[DONE]`, as from a server that writes each event on its own.
    const upstream = await startRawUpstream((socket) => {
      const size = Buffer.byteLength(body).toString(16)
      socket.write(
        `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n${size}\r\n${body}\r\n`,
      )
      setTimeout(() => socket.write('0\r\n\r\n'), 20)
    })
    closers.push(() => upstream.close())
    const running = await serveRouterOver(upstream)
    closers.push(() => running.close())
    const client = new Anthropic({ baseURL: `http://127.0.0.1:${running.port}`, apiKey: 'k', maxRetries: 0 })
    for (let i = 0; i < 3; i++) {
      const message = await client.messages
        .stream({ model: 'groq/m', max_tokens: 10, messages: [{ role: 'user', content: 'go' }] })
        .finalMessage()
      expect(message.content).toMatchObject([{ type: 'text', text: 'hi' }])
      // Time for the end of the body to arrive, so the connection is free again.
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(upstream.requests).toHaveLength(3)
    expect(upstream.connections.opened).toBe(1)
  })

  it('streams answers, and reports refused connections and aborts like fetch', async () => {
    const upstream = await upstreamWith(() => ['one ', 'two ', 'three'], 5)
    const send = nodeUpstream({ maxBytes: 1024, idleMs: 5000 })
    const res = await send(`${upstream.url}/x?y=1`, {
      method: 'POST',
      headers: { 'X-A': 'b' },
      body: 'ü',
    })
    expect(res.status).toBe(200)
    expect(await readText(res.body)).toBe('one two three')
    expect(upstream.requests[0]).toMatchObject({ path: '/x?y=1', body: 'ü' })
    expect(upstream.requests[0]?.headers['x-a']).toBe('b')

    const refused = await send('http://127.0.0.1:1/', { method: 'POST', headers: {} }).catch(
      (e: unknown) => e,
    )
    expect(refused).toBeInstanceOf(TypeError)
    expect(String((refused as TypeError).cause)).toMatch(/ECONNREFUSED/)

    const controller = new AbortController()
    controller.abort()
    const aborted = send(`${upstream.url}/`, { method: 'GET', headers: {}, signal: controller.signal })
    await expect(aborted).rejects.toThrow(/abort/i)
  })
})
