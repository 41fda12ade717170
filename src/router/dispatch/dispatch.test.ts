import { describe, expect, it } from 'vitest'
import { parseSse, scriptedFetch } from '../__fixtures__/harness.js'
import { completionJson, completionSse, messages, routerWith } from '../__fixtures__/router-setup.js'

const TWO_DEPLOYMENTS = `
model_list:
  - model_name: coder
    litellm_params: {model: groq/model-a, api_base: http://d1.test/v1}
  - model_name: coder
    litellm_params: {model: groq/model-b, api_base: http://d2.test/v1}
  - model_name: backup
    litellm_params: {model: openrouter/model-c, api_base: http://d3.test/v1}
`

function settings(extra: string): string {
  return `${TWO_DEPLOYMENTS}router_settings:\n${extra
    .trim()
    .split('\n')
    .map((l) => `  ${l.trim()}`)
    .join('\n')}\n`
}

const hostOf = (url: string) => new URL(url).host

/** An upstream that never answers: each call waits until its attempt is aborted. */
function hangingFetch(onCall: () => void = () => {}): typeof fetch {
  return ((_url: RequestInfo | URL, init?: RequestInit) => {
    onCall()
    return new Promise<Response>((_resolve, reject) => {
      init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
    })
  }) as typeof fetch
}

describe('dispatch', () => {
  it('retries a retryable failure with backoff, honouring Retry-After, and counts the retry', async () => {
    const upstream = scriptedFetch([
      { status: 503, headers: { 'retry-after': '0' }, body: '{"error":{"message":"busy"}}' },
      { status: 500, body: '{"error":{"message":"oops"}}' },
      { headers: { 'content-type': 'application/json' }, body: completionJson('done') },
    ])
    const { post, metrics, usage } = routerWith(
      settings('enable_loadbalancing: false\nnum_retries: 2\nretry_after: 0.001\nallowed_fails: 10'),
      upstream.fetch,
    )
    const res = await post(messages('coder'))
    expect(res.status).toBe(200)
    expect(((await res.json()) as { content: unknown[] }).content).toEqual([{ type: 'text', text: 'done' }])
    expect(upstream.calls).toHaveLength(3)
    expect(metrics.render()).toMatch(/router_retries_total\{model="coder"\} 2/)
    expect(usage.query({})[0]).toMatchObject({ retries: 2, status: 200, inputTokens: 11, outputTokens: 3 })
  })

  it('does not wait for a Retry-After longer than a minute: the 429 goes back with its header', async () => {
    const upstream = scriptedFetch([{ status: 429, headers: { 'retry-after': '3600' }, body: '{}' }])
    const { post } = routerWith(settings('num_retries: 3'), upstream.fetch)
    const res = await post(messages('backup'))
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('3600')
    expect(upstream.calls).toHaveLength(1)
  })

  it('retries a stream that fails before its first byte, but turns a later failure into an error event', async () => {
    const broken = 'data: {"id":"x","choices":[{"index":0,"delta":{"content":"Par'
    const upstream = scriptedFetch([
      { body: '' },
      { body: `${completionSse('Hello')}` },
      { body: `data: {"id":"x","choices":[{"index":0,"delta":{"content":"Partial"}}]}\n\n${broken}` },
    ])
    const { post } = routerWith(settings('num_retries: 1\nretry_after: 0'), upstream.fetch)
    const first = await post(messages('backup', true))
    expect(first.status).toBe(200)
    const events = parseSse(await first.text())
    expect(events.map((e) => e.data.type)).toContain('message_stop')
    expect(upstream.calls).toHaveLength(2)

    const second = await post(messages('backup', true))
    const types = parseSse(await second.text()).map((e) => e.data.type)
    expect(types.at(-1)).toBe('error')
    expect(types).toContain('content_block_delta')
    expect(upstream.calls).toHaveLength(3)
  })

  it('gives each attempt its timeout and answers 504 timeout_error when all attempts time out', async () => {
    let calls = 0
    const hanging = hangingFetch(() => calls++)
    const { post } = routerWith(settings('timeout: 0.05\nnum_retries: 1\nretry_after: 0'), hanging)
    const started = Date.now()
    const res = await post(messages('backup'))
    expect(res.status).toBe(504)
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'timeout_error' } })
    expect(calls).toBe(2)
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('gives streaming attempts stream_timeout, and non-streaming ones timeout', async () => {
    const { post } = routerWith(settings('timeout: 600\nstream_timeout: 0.05'), hangingFetch())
    const res = await post(messages('backup', true))
    expect(res.status).toBe(504)
    expect(await res.json()).toMatchObject({ error: { message: expect.stringContaining('within 0.05 s') } })
  })

  it('cools a deployment down for its own cooldown_time, and sends other models to default_fallbacks', async () => {
    const yaml = `
model_list:
  - model_name: coder
    litellm_params: {model: groq/model-a, api_base: http://d1.test/v1, cooldown_time: 0}
  - model_name: coder
    litellm_params: {model: groq/model-b, api_base: http://d2.test/v1}
  - model_name: backup
    litellm_params: {model: openrouter/model-c, api_base: http://d3.test/v1}
router_settings:
  enable_loadbalancing: false
  allowed_fails: 0
  cooldown_time: 600
  num_retries: 1
  retry_after: 0
  default_fallbacks: [backup]
`
    const upstream = scriptedFetch((call) =>
      hostOf(call.url) === 'd3.test'
        ? { headers: { 'content-type': 'application/json' }, body: completionJson('from backup') }
        : { status: 500, body: '{"error":{"message":"down"}}' },
    )
    const { post } = routerWith(yaml, upstream.fetch)
    expect((await post(messages('coder'))).status).toBe(200)
    expect((await post(messages('coder'))).status).toBe(200)
    // d1 (cooldown 0) is tried again at once, twice; d2 (the router's 600 s) is still cooling down.
    expect(upstream.calls.map((c) => hostOf(c.url))).toEqual([
      'd1.test',
      'd2.test',
      'd3.test',
      'd1.test',
      'd1.test',
      'd3.test',
    ])
  })

  it('cools down a deployment after allowed_fails and skips it until cooldown_time passes', async () => {
    const upstream = scriptedFetch((call) =>
      hostOf(call.url) === 'd1.test'
        ? { status: 500, body: '{"error":{"message":"d1 down"}}' }
        : { headers: { 'content-type': 'application/json' }, body: completionJson('from d2') },
    )
    const { post, metrics } = routerWith(
      settings(
        'enable_loadbalancing: false\nallowed_fails: 1\ncooldown_time: 60\nnum_retries: 1\nretry_after: 0',
      ),
      upstream.fetch,
    )
    for (let i = 0; i < 4; i++) expect((await post(messages('coder'))).status).toBe(200)
    const hosts = upstream.calls.map((c) => hostOf(c.url))
    // d1 fails twice (more than allowed_fails: 1) and is then left alone.
    expect(hosts).toEqual(['d1.test', 'd2.test', 'd1.test', 'd2.test', 'd2.test', 'd2.test'])
    expect(metrics.render()).toMatch(/router_cooldowns_total\{deployment="model_list\[0\]",model="coder"\} 1/)
  })

  it("falls back to the model's fallbacks when its deployments are exhausted, and records it", async () => {
    const upstream = scriptedFetch((call) =>
      hostOf(call.url) === 'd3.test'
        ? { headers: { 'content-type': 'application/json' }, body: completionJson('from backup') }
        : { status: 529, body: '{"error":{"message":"overloaded"}}' },
    )
    const { post, metrics, usage } = routerWith(
      settings('fallbacks: [{"coder": ["backup"]}]\nnum_retries: 1\nretry_after: 0'),
      upstream.fetch,
    )
    const res = await post(messages('coder'))
    expect(res.status).toBe(200)
    const body = (await res.json()) as { model: string; content: unknown[] }
    expect(body.content).toEqual([{ type: 'text', text: 'from backup' }])
    expect(body.model).toBe('coder')
    expect(upstream.calls.map((c) => hostOf(c.url)).sort()).toEqual(['d1.test', 'd2.test', 'd3.test'])
    expect(metrics.render()).toMatch(/router_fallbacks_total\{model="coder",fallback="backup"\} 1/)
    expect(usage.query({})[0]).toMatchObject({ fallbackModel: 'backup', provider: 'openrouter', retries: 1 })
  })

  it("answers in Anthropic's shape with the last error's status when every model failed", async () => {
    const upstream = scriptedFetch(() => ({ status: 503, body: '{"error":{"message":"down"}}' }))
    const { post, usage } = routerWith(settings('fallbacks: [{"coder": ["backup"]}]'), upstream.fetch)
    const res = await post(messages('coder'))
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } })
    expect(usage.query({})[0]).toMatchObject({ status: 503, costUsd: 0 })
  })

  it('never retries or falls back on a bad request', async () => {
    const upstream = scriptedFetch(() => ({ status: 400, body: '{"error":{"message":"bad tool schema"}}' }))
    const { post } = routerWith(
      settings('fallbacks: [{"coder": ["backup"]}]\nnum_retries: 3'),
      upstream.fetch,
    )
    expect((await post(messages('coder'))).status).toBe(400)
    expect(upstream.calls).toHaveLength(1)
  })

  it('sends the next request to the least busy deployment', async () => {
    let release: (() => void) | undefined
    const gate = new Promise<void>((r) => {
      release = r
    })
    const seen: string[] = []
    const fetchImpl = (async (url: RequestInfo | URL) => {
      const host = hostOf(String(url))
      seen.push(host)
      if (seen.length === 1) await gate
      return new Response(completionJson(host), { headers: { 'content-type': 'application/json' } })
    }) as typeof fetch
    const { post } = routerWith(settings('routing_strategy: least-busy'), fetchImpl)
    const slow = post(messages('coder'))
    await new Promise((r) => setTimeout(r, 5))
    const fast = await post(messages('coder', false, 'second'))
    expect(fast.status).toBe(200)
    expect(seen[1]).not.toBe(seen[0])
    release?.()
    expect((await slow).status).toBe(200)
  })

  it('serves identical non-streaming requests from the cache when caching is on, and never streams', async () => {
    const upstream = scriptedFetch(() => ({
      headers: { 'content-type': 'application/json' },
      body: completionJson('cached answer'),
    }))
    const yaml = `${TWO_DEPLOYMENTS}litellm_settings: {cache: true}\n`
    const { post, metrics, usage } = routerWith(yaml, upstream.fetch)
    const a = await post(messages('backup'))
    const b = await post(messages('backup'))
    expect(await b.json()).toEqual(await a.json())
    expect(b.headers.get('x-router-cache')).toBe('hit')
    expect(upstream.calls).toHaveLength(1)
    await post(messages('backup', false, 'different'))
    expect(upstream.calls).toHaveLength(2)
    expect(metrics.render()).toMatch(/router_cache_hits_total\{model="backup"\} 1/)
    expect(usage.query({})[1]).toMatchObject({ cached: true, inputTokens: 0, costUsd: 0 })
  })
})

describe('dispatch of pass-through streams', () => {
  it('ends an Anthropic stream that breaks after it started with an error event, without retrying', async () => {
    let calls = 0
    const first = new TextEncoder().encode(
      'event: message_start\ndata: {"type":"message_start","message":{"id":"m","usage":{"input_tokens":3,"output_tokens":1}}}\n\nevent: content_block_start\ndata: {"type":"content_blo',
    )
    const breaking = (async () => {
      calls++
      let sent = false
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent) return controller.error(new Error('socket hang up'))
          sent = true
          controller.enqueue(first)
        },
      })
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
    }) as typeof fetch
    const { post, usage } = routerWith(
      'model_list: [{model_name: "anthropic/*", litellm_params: {model: "anthropic/*"}}]\nrouter_settings: {num_retries: 2, retry_after: 0}\n',
      breaking,
      { secrets: { ANTHROPIC_API_KEY: 'sk-ant' } },
    )
    const res = await post(messages('anthropic/claude-haiku-4-5', true))
    const text = await res.text()
    expect(text.startsWith('event: message_start')).toBe(true)
    const events = parseSse(text.slice(text.indexOf('event: error')))
    expect(events).toEqual([
      {
        event: 'error',
        data: {
          type: 'error',
          error: { type: 'api_error', message: expect.stringMatching(/failed mid-stream: socket hang up/) },
        },
      },
    ])
    expect(calls).toBe(1)
    expect(usage.query({})[0]).toMatchObject({
      status: 200,
      inputTokens: 3,
      error: expect.stringMatching(/socket hang up/),
    })
  })
})
