import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InboundFrame, type SessionEvent } from '../../src/protocol/events.js'
import { ClaudeCodeOptions, MessageBody, RenameBody } from '../../src/server/routes/schemas.js'
import type { RunningServer } from '../../src/server/start.js'
import { type ScriptedModelServer, startScriptedModelServer } from '../fixtures/scripted-model-server.js'
import { connectEvents, startGroqServer, tempDir } from './helpers.js'

const SENTINEL = 'sentinel'
const dir = tempDir()
let scripted: ScriptedModelServer
let server: RunningServer
let sentinelEvents: SessionEvent[] = []

const api = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init)
const sentinelNow = async () =>
  ((await (await api(`/agent/sessions/${SENTINEL}/events`)).json()) as { events: SessionEvent[] }).events

/** Any JSON value, including deep and large ones, and strings that look like JSON but are not. */
const anyBody = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 300 }),
  fc
    .record({ message: fc.anything(), sessionId: fc.anything(), model: fc.anything() })
    .map((v) => JSON.stringify(v)),
  fc.record({ title: fc.anything() }).map((v) => JSON.stringify(v)),
  fc.record({ allow: fc.anything() }).map((v) => JSON.stringify(v)),
  fc
    .record({ prompt: fc.anything(), model: fc.anything(), maxTurns: fc.anything() })
    .map((v) => JSON.stringify(v)),
  fc.constant('{"message":"x","sessionId":"'.padEnd(2000, 'a')),
)

/** Would this body be accepted by the schema of its route (and so do real work or change something)? */
function valid(route: string, body: string): boolean {
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    return false
  }
  if (route === '/agent/message') return MessageBody.safeParse(value).success
  if (route === '/claude-code') return ClaudeCodeOptions.safeParse(value).success
  if (route.includes('/permissions/')) return false
  return RenameBody.safeParse(value).success
}

const segment = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom(
    '..',
    '../..',
    '%2e%2e',
    '%2F',
    'a/../..',
    '.',
    '~',
    '%00',
    '\u0000',
    'x'.repeat(70),
    SENTINEL,
  ),
)

beforeAll(async () => {
  scripted = await startScriptedModelServer({ respond: () => ({ text: 'sentinel answer' }) })
  server = await startGroqServer({ dir: dir.path, openaiBaseUrl: scripted.openaiBaseUrl })
  const res = await api('/agent/message', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId: SENTINEL, message: 'hello' }),
  })
  expect(res.status).toBe(200)
  sentinelEvents = await sentinelNow()
}, 60_000)

afterAll(async () => {
  await server?.close()
  await scripted?.close()
  dir.remove()
})

describe('generated bad input', () => {
  it('answers every malformed REST body with a 4xx JSON error (6,000 cases)', async () => {
    const routes: [string, string][] = [
      ['POST', '/agent/message'],
      ['PATCH', `/agent/sessions/${SENTINEL}`],
      ['POST', `/agent/sessions/${SENTINEL}/permissions/r1`],
      ['PATCH', '/agent/sessions/nobody'],
      ['POST', '/claude-code'],
    ]
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), anyBody, async ([method, path], body) => {
        fc.pre(!valid(path, body))
        const res = await api(path, { method, headers: { 'content-type': 'application/json' }, body })
        expect(res.status).toBeGreaterThanOrEqual(400)
        expect(res.status).toBeLessThan(500)
        const json = (await res.json()) as { error?: { message?: unknown } }
        expect(typeof json.error?.message).toBe('string')
      }),
      { numRuns: 6000 },
    )
  }, 180_000)

  it('answers every odd session id and file path with a 4xx or the right content (2,500 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(
        segment,
        segment,
        fc.constantFrom('', '/events', '/files', '/files/'),
        async (id, file, tail) => {
          const path = `/agent/sessions/${encodeURIComponent(id)}${tail}${tail === '/files/' ? encodeURIComponent(file) : ''}`
          const res = await api(path)
          expect(res.status, path).not.toBeGreaterThanOrEqual(500)
          if (res.status === 200) expect(id).toBe(SENTINEL)
          await res.arrayBuffer()
        },
      ),
      { numRuns: 2500 },
    )
  }, 120_000)

  it('answers every malformed WebSocket frame with an error frame and nothing else (4,000 cases)', async () => {
    const client = await connectEvents(
      `${server.url.replace('http', 'ws')}/demo/ws/${SENTINEL}?after=${sentinelEvents.length}`,
    )
    await client.waitFor((e) => e.type === 'status')
    const frames = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 200 }),
      fc
        .record({
          type: fc.constantFrom('user_message', 'interrupt2', 'permission_response', 'x'),
          content: fc.anything(),
        })
        .map((v) => JSON.stringify(v)),
      fc
        .record({ type: fc.constant('permission_response'), requestId: fc.anything(), allow: fc.anything() })
        .map((v) => JSON.stringify(v)),
      fc.uint8Array({ maxLength: 64 }),
    )
    let sent = 0
    let errorsSeen = 0
    let wake: (() => void) | undefined
    client.socket.on('message', (data) => {
      if ((JSON.parse(data.toString()) as { type: string }).type === 'error') errorsSeen++
      wake?.()
    })
    const errorsReach = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no error frame for frame #${n}`)), 2000)
        wake = () => {
          if (errorsSeen < n) return
          clearTimeout(timer)
          resolve()
        }
        wake()
      })
    await fc.assert(
      fc.asyncProperty(frames, async (frame) => {
        if (typeof frame === 'string') {
          let parsed: unknown
          try {
            parsed = JSON.parse(frame)
          } catch {}
          // Valid frames would start turns or interrupt; the property is about invalid ones.
          fc.pre(
            !InboundFrame.safeParse(parsed).success ||
              (parsed as { type?: string }).type === 'permission_response',
          )
          client.socket.send(frame)
        } else {
          client.socket.send(frame, { binary: true })
        }
        sent++
        await errorsReach(sent)
      }),
      { numRuns: 4000 },
    )
    const errors = client.events.filter((e) => e.type === 'error')
    expect(errors).toHaveLength(sent)
    expect(errors.every((e) => !('seq' in e))).toBe(true)
    expect(client.events.some((e) => 'seq' in e)).toBe(false)
    await client.close()
  }, 180_000)

  it('left the sentinel session exactly as it was and the server healthy', async () => {
    expect(await sentinelNow()).toEqual(sentinelEvents)
    expect((await api('/health')).status).toBe(200)
  })
})
