/** A router app over an injected upstream `fetch`, with an in-memory usage sink and its own metrics registry. */
import { createRouterApp } from '../app.js'
import { parseRouterConfig } from '../config/parse-config.js'
import type { RouterOptions } from '../router-options.js'
import { RouterMetrics } from '../usage/router-metrics.js'
import { InMemoryUsageSink } from '../usage/usage-sink.js'

export function routerWith(yaml: string, fetchImpl: typeof fetch, extra: Partial<RouterOptions> = {}) {
  const usage = new InMemoryUsageSink()
  const metrics = new RouterMetrics()
  const app = createRouterApp({
    config: parseRouterConfig(yaml),
    secrets: { GROQ_API_KEY: 'gsk_test_key_1', OPENROUTER_API_KEY: 'sk-or-test' },
    fetch: fetchImpl,
    usage,
    metrics,
    ...extra,
  })
  const post = (body: unknown, headers: Record<string, string> = {}, path = '/v1/messages') =>
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
  return { app, usage, metrics, post }
}

/** A minimal Messages request. */
export function messages(model: string, stream = false, text = 'hi') {
  return { model, max_tokens: 100, stream, messages: [{ role: 'user', content: text }] }
}

/** An OpenAI chat completion answer with `text`. */
export function completionJson(text: string, id = 'chatcmpl-1'): string {
  return JSON.stringify({
    id,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 11, completion_tokens: 3 },
  })
}

/** An Anthropic Messages answer with `text`. */
export function anthropicMessageJson(text: string, model = 'claude-sonnet-4-5'): string {
  return JSON.stringify({
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 3, output_tokens: 2 },
  })
}

/** An OpenAI streaming answer with `text`. */
export function completionSse(text: string): string {
  return [
    `data: {"id":"chatcmpl-s","choices":[{"index":0,"delta":{"role":"assistant","content":${JSON.stringify(text)}}}]}`,
    'data: {"id":"chatcmpl-s","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}',
    'data: {"id":"chatcmpl-s","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":3}}',
    'data: [DONE]',
    '',
  ].join('\n\n')
}
