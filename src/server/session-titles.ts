/**
 * How the Node host asks for a session's title (agent/session-title.ts): one Messages call to the in-process
 * router, with the session's own router token, so it is routed and priced like the session's other calls and
 * counts in its usage. Any failure is "no title": the session keeps the one it has.
 */
import type { Hono } from 'hono'
import type { TitleFor } from '../agent/session-title.js'

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

/** The first text block of a Messages answer. */
function answerText(body: unknown): string | undefined {
  if (!isRecord(body) || !Array.isArray(body.content)) return undefined
  const block = body.content.find((b) => isRecord(b) && b.type === 'text' && typeof b.text === 'string')
  return isRecord(block) && typeof block.text === 'string' ? block.text : undefined
}

export function routerTitleFor(router: Hono, tokenFor: (sessionId: string) => string): TitleFor {
  return async ({ sessionId, model, prompt }) => {
    const res = await router.request('/v1/messages', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        'x-api-key': tokenFor(sessionId),
      },
      // Room for a reasoning model's thinking before its few words.
      body: JSON.stringify({ model, max_tokens: 300, messages: [{ role: 'user', content: prompt }] }),
    })
    if (!res.ok) return undefined
    return answerText(await res.json().catch(() => undefined))
  }
}
