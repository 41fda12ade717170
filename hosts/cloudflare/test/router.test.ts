/**
 * The model router in the Worker, and what a container holds to reach it: `http://router.internal` through
 * the container class's outbound handler, the session's HMAC token, no internet, and no provider key.
 */
import { abortAllDurableObjects, env, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { runtimes } from './container-runtime.js'
import { hostControl, json, post } from './helpers.js'

describe('router on the Cloudflare host', () => {
  it('serves the router under /llm', async () => {
    expect((await json('/llm/health')).body).toMatchObject({ status: 'ok' })
    const missing = await json<{ error: { message: string } }>(
      '/llm/v1/messages',
      post({ model: 'nobody/model', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    )
    expect(missing.status).toBe(400)
    expect(missing.body.error.message).toMatch(/no route for model 'nobody\/model'/)
  })

  it("gives a container the router's address and its session token, never a provider key or the signing secret", async () => {
    await json('/agent/message', post({ sessionId: 'router-1', message: 'hello' }))
    const id = env.CONTAINER.idFromName('router-1').toString()
    const { running } = await hostControl<{ running: Record<string, Record<string, string>> }>('state')
    const containerEnv = running[id]!
    expect(containerEnv.ANTHROPIC_BASE_URL).toBe('http://router.internal')
    expect(containerEnv.ANTHROPIC_AUTH_TOKEN).toMatch(/^art_router-1\./)
    const values = Object.values(containerEnv).join('\n')
    expect(values).not.toContain(env.SESSION_TOKEN_SECRET)
    expect(Object.keys(containerEnv).filter((k) => /API_KEY|SECRET|AUTH_TOKEN$/.test(k))).toEqual([
      'ANTHROPIC_AUTH_TOKEN',
    ])

    const runtime = runtimes.get(id)!
    expect(runtime.enableInternet).toBe(false)
    const router = runtime.intercepted.get('router.internal')
    expect(router).toBeDefined()
    // Called as the container's outbound HTTP is: from the container object.
    const health = await runInDurableObject(env.CONTAINER.get(env.CONTAINER.idFromString(id)), async () => {
      const res = await router!.fetch('http://router.internal/health', {
        headers: { authorization: `Bearer ${containerEnv.ANTHROPIC_AUTH_TOKEN}` },
      })
      return res.json()
    })
    expect(health).toMatchObject({ status: 'ok' })
  })

  it("routes a session's model calls through its agent, which keeps their usage across a restart", async () => {
    await json('/agent/message', post({ sessionId: 'usage-1', message: 'hello' }))
    const id = env.CONTAINER.idFromName('usage-1').toString()
    const { running } = await hostControl<{ running: Record<string, Record<string, string>> }>('state')
    const token = running[id]!.ANTHROPIC_AUTH_TOKEN!
    const router = runtimes.get(id)!.intercepted.get('router.internal')!
    const answer = await runInDurableObject(env.CONTAINER.get(env.CONTAINER.idFromString(id)), async () => {
      const res = await router.fetch('http://router.internal/v1/messages', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'hosted_vllm/m',
          max_tokens: 50,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      })
      return { status: res.status, body: (await res.json()) as { content: { text: string }[] } }
    })
    expect(answer.status).toBe(200)
    expect(answer.body.content[0]?.text).toBe('hi from upstream')
    await abortAllDurableObjects()
    const usage = await json<{ totals: unknown; entries: { sessionId: string }[] }>(
      '/llm/usage?sessionId=usage-1',
    )
    expect(usage.body.totals).toEqual({ requests: 1, inputTokens: 11, outputTokens: 7, costUsd: 0 })
    expect(usage.body.entries.map((e) => e.sessionId)).toEqual(['usage-1'])
  })
})
