/**
 * The streamed OpenAI -> Anthropic translation timed in this process (`openAIStreamToAnthropic` from `dist/`,
 * a reader in and out as the router runs it), for `bench:translation` and for `bench:router`, which sets
 * the time to translate its stream next to the added latency of its streamed translation row.
 */
import { openAIStreamToAnthropic } from '../dist/router/providers/openai-compatible/openai-stream-to-anthropic.js'

export const chunk = (delta, finish = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
export const tail = [
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [], usage: { prompt_tokens: 25, completion_tokens: 40 } })}\n\n`,
  'data: [DONE]\n\n',
]

export function textAnswer() {
  const words = Array.from({ length: 40 }, (_, i) => chunk({ content: `w${i} ` }))
  return [chunk({ role: 'assistant', content: '' }), ...words, chunk({}, 'stop'), ...tail]
}

/** The events as socket reads: `size` bytes each, or grouped `perRead` events at a time. */
export function reads(events, { size, perRead }) {
  if (perRead) {
    const out = []
    for (let i = 0; i < events.length; i += perRead)
      out.push(Buffer.from(events.slice(i, i + perRead).join('')))
    return out
  }
  const all = Buffer.from(events.join(''))
  const out = []
  for (let i = 0; i < all.length; i += size) out.push(all.subarray(i, i + size))
  return out
}

export async function translateOnce(parts) {
  let i = 0
  const upstream = {
    read: async () =>
      i < parts.length ? { done: false, value: parts[i++] } : { done: true, value: undefined },
    cancel: async () => {},
  }
  const out = openAIStreamToAnthropic(upstream, { requestedModel: 'bench/m', describe: 'bench' })
  let bytes = 0
  for (let r = await out.read(); !r.done; r = await out.read()) bytes += r.value.length
  return bytes
}

/** Microseconds per call of `fn`, the best of `rounds` rounds (after one round of warm-up). */
export async function time(fn, budgetMs, rounds = 7) {
  let best = Number.POSITIVE_INFINITY
  for (let r = 0; r <= rounds; r++) {
    let calls = 0
    const started = performance.now()
    while (performance.now() - started < budgetMs) {
      await fn()
      calls++
    }
    if (r > 0) best = Math.min(best, ((performance.now() - started) * 1000) / calls)
  }
  return best
}
