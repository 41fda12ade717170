import { describe, expect, it } from 'vitest'
import { scriptedFetch } from './__fixtures__/harness.js'
import { completionJson, messages, routerWith } from './__fixtures__/router-setup.js'

const CONFIG = `
model_list: [{model_name: "groq/*", litellm_params: {model: "groq/*"}}]
general_settings: {master_key: os.environ/ROUTER_MASTER_KEY}
`

function setup() {
  const upstream = scriptedFetch(() => ({
    headers: { 'content-type': 'application/json' },
    body: completionJson('ok'),
  }))
  const tokens = new Map([
    ['art_one', 'session-1'],
    ['art_two', 'session-2'],
  ])
  return routerWith(CONFIG, upstream.fetch, {
    secrets: { GROQ_API_KEY: 'gsk_x', ROUTER_MASTER_KEY: 'master-123' },
    sessionTokens: { verify: (t) => (t === undefined ? undefined : tokens.get(t)) },
  })
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` })
const MODEL = 'groq/openai/gpt-oss-120b'

describe('router auth and usage', () => {
  it('admits the master key and per-session tokens, and refuses anything else with 401', async () => {
    const { post } = setup()
    expect((await post(messages(MODEL), bearer('master-123'))).status).toBe(200)
    expect((await post(messages(MODEL), { 'x-api-key': 'art_one' })).status).toBe(200)
    const refused = await post(messages(MODEL), bearer('provider-key-guess'))
    expect(refused.status).toBe(401)
    expect(await refused.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } })
  })

  it('records usage per session and serves it at GET /usage, a session reading only its own', async () => {
    const { app, post } = setup()
    await post(messages(MODEL), bearer('art_one'))
    await post(messages(MODEL), bearer('art_one'))
    await post(messages(MODEL), bearer('art_two'))
    await post(messages(MODEL), bearer('master-123'))
    const get = (path: string, token: string) => app.request(path, { headers: bearer(token) })

    const one = (await (await get('/usage?sessionId=session-1', 'master-123')).json()) as {
      totals: Record<string, number>
      entries: Record<string, unknown>[]
    }
    expect(one.totals).toMatchObject({ requests: 2, inputTokens: 22, outputTokens: 6 })
    expect(one.totals.costUsd).toBeCloseTo((2 * (11 * 0.15 + 3 * 0.6)) / 1e6, 12)
    expect(one.entries[0]).toMatchObject({
      sessionId: 'session-1',
      endpoint: 'messages',
      model: MODEL,
      provider: 'groq',
      upstreamModel: 'openai/gpt-oss-120b',
      stream: false,
      status: 200,
      inputTokens: 11,
      outputTokens: 3,
      retries: 0,
      cached: false,
    })
    expect(typeof one.entries[0]?.durationMs).toBe('number')
    expect(typeof one.entries[0]?.ttftMs).toBe('number')

    const own = (await (await get('/usage', 'art_two')).json()) as {
      sessionId: string
      totals: { requests: number }
    }
    expect(own).toMatchObject({ sessionId: 'session-2', totals: { requests: 1 } })
    expect((await get('/usage?sessionId=session-1', 'art_two')).status).toBe(403)
    const all = (await (await get('/usage', 'master-123')).json()) as { totals: { requests: number } }
    expect(all.totals.requests).toBe(4)
  })

  it('accepts an authorize hook that returns the session, and one that returns a boolean', async () => {
    const upstream = scriptedFetch(() => ({
      headers: { 'content-type': 'application/json' },
      body: completionJson('ok'),
    }))
    const withSession = routerWith(CONFIG, upstream.fetch, {
      authorize: (t) => (t === 'tok' ? { sessionId: 'abc' } : false),
    })
    expect((await withSession.post(messages(MODEL), bearer('tok'))).status).toBe(200)
    expect((await withSession.post(messages(MODEL), bearer('bad'))).status).toBe(401)
    expect(withSession.usage.query({ sessionId: 'abc' })).toHaveLength(1)
    const boolean = routerWith(CONFIG, upstream.fetch, { authorize: (t) => t === 'yes' })
    expect((await boolean.post(messages(MODEL), bearer('yes'))).status).toBe(200)
    expect(boolean.usage.query({})[0]?.sessionId).toBeUndefined()
  })

  it('serves Prometheus metrics for requests, latency and tokens at GET /metrics', async () => {
    const { app, post } = setup()
    await post(messages(MODEL), bearer('master-123'))
    const res = await app.request('/metrics', { headers: bearer('master-123') })
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/)
    const text = await res.text()
    expect(text).toContain(`router_requests_total{endpoint="messages",model="${MODEL}",status="200"} 1`)
    expect(text).toContain(`router_tokens_total{model="${MODEL}",direction="output"} 3`)
    expect(text).toMatch(
      /router_request_duration_seconds_bucket\{endpoint="messages",model="[^"]+",le="\+Inf"\} 1/,
    )
    expect(text).toContain('router_requests_in_flight 0')
    expect(text).toContain('# TYPE router_retries_total counter')
  })
})
