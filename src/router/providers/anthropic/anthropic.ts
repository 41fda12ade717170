/**
 * Anthropic: a byte-for-byte pass-through of the Messages API (conformance case 24). The body is forwarded as
 * received except for the top-level `model`, which is rewritten in place when the upstream name differs; the
 * answer (JSON or SSE) comes back unchanged. `anthropic-version` and `anthropic-beta` are forwarded.
 * `count_tokens` uses Anthropic's own endpoint; chat-completions requests are translated both ways.
 */
import { AppError } from '../../../protocol/errors.js'
import { jsonUsage, usageOf } from '../../usage/usage-tap.js'
import { ANTHROPIC_DEFAULT_KEYS, deploymentBody } from '../deployment-body.js'
import { refuseSeveralChoices } from '../one-choice.js'
import { SSE_HEADERS } from '../openai-compatible/openai-compatible.js'
import { rewriteModelField } from '../rewrite-model-field.js'
import {
  type ChatProviderCall,
  displayUrl,
  jsonAnswer,
  type Provider,
  type ProviderAnswer,
  type ProviderCall,
  type UpstreamCall,
} from '../types.js'
import { readText, type UpstreamAnswer } from '../upstream.js'
import { postUpstream } from '../upstream-error.js'
import { AnthropicMessageIn, anthropicMessageToChat } from './anthropic-response-to-chat.js'
import { anthropicStreamToChat } from './anthropic-stream-to-chat.js'
import { chatRequestToAnthropic } from './chat-request-to-anthropic.js'

const DEFAULT_VERSION = '2023-06-01'

/** Response headers worth passing back to the client. */
const KEEP_HEADERS = ['content-type', 'request-id', 'retry-after', 'cache-control']

/** `https://api.anthropic.com` -> `https://api.anthropic.com/v1/messages` (also accepts `…/v1` and the full URL). */
export function messagesUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, '')
  if (trimmed.endsWith('/v1/messages')) return trimmed
  if (trimmed.endsWith('/v1')) return `${trimmed}/messages`
  return `${trimmed}/v1/messages`
}

function describe(call: UpstreamCall) {
  return { describe: `anthropic at ${displayUrl(call.apiBase)}`, secrets: [call.apiKey] }
}

/** POSTs `body` to `url` with the client's Anthropic headers; a non-2xx answer is thrown as an AppError. */
function post(call: UpstreamCall, url: string, body: string, accept?: string): Promise<UpstreamAnswer> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'anthropic-version': call.headers.get('anthropic-version') ?? DEFAULT_VERSION,
  }
  const beta = call.headers.get('anthropic-beta')
  if (beta) headers['anthropic-beta'] = beta
  const wanted = accept ?? call.headers.get('accept')
  if (wanted) headers.accept = wanted
  if (call.apiKey) headers['x-api-key'] = call.apiKey
  Object.assign(headers, call.target.headers)
  return postUpstream(call, url, headers, body, describe(call))
}

function keptHeaders(response: UpstreamAnswer): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of KEEP_HEADERS) {
    const value = response.headers.get(name)
    if (value) out[name] = value
  }
  return out
}

/**
 * The client's body with the upstream model name, every other byte unchanged; re-serialised only when the
 * deployment adds defaults (`temperature`, …) or `extra_body`.
 */
function passThroughBody(call: ProviderCall, withDefaults = true): string {
  const params = call.target.deployment.params
  const adds =
    params.extra_body !== undefined ||
    params.additional_drop_params !== undefined ||
    ANTHROPIC_DEFAULT_KEYS.some((k) => Object.hasOwn(params, k))
  if (withDefaults && adds) {
    const raw = JSON.parse(call.rawBody) as Record<string, unknown>
    const body = deploymentBody(call.target.deployment, raw, ANTHROPIC_DEFAULT_KEYS)
    if (body !== undefined) return JSON.stringify({ ...body, model: call.target.upstreamModel })
  }
  if (call.target.upstreamModel === call.request.model) return call.rawBody
  const rewritten = rewriteModelField(call.rawBody, call.target.upstreamModel)
  if (rewritten === undefined) {
    throw new AppError('invalid_request_error', 'the request body has no top-level "model" string')
  }
  return rewritten
}

export const anthropic: Provider = {
  name: 'anthropic',
  async send(call: ProviderCall): Promise<ProviderAnswer> {
    const response = await post(call, `${messagesUrl(call.apiBase)}${call.search}`, passThroughBody(call))
    const headers = keptHeaders(response)
    const isSse = (response.headers.get('content-type') ?? '').includes('text/event-stream')
    if (isSse) {
      call.observer.readSseUsage('anthropic')
      return { status: response.status, headers, body: response.body }
    }
    const text = await readText(response.body)
    call.observer.usage(jsonUsage('anthropic', text))
    return { status: response.status, headers, body: text }
  },
  async countTokens(call: ProviderCall): Promise<ProviderAnswer & { body: string }> {
    const response = await post(
      call,
      `${messagesUrl(call.apiBase)}/count_tokens${call.search}`,
      passThroughBody(call, false),
      'application/json',
    )
    return { status: response.status, headers: keptHeaders(response), body: await readText(response.body) }
  },
  async chatCompletions(call: ChatProviderCall): Promise<ProviderAnswer> {
    refuseSeveralChoices(call.request.n, 'anthropic/ models (Anthropic has no n)')
    const request = deploymentBody(call.target.deployment, call.request) ?? call.request
    const body = chatRequestToAnthropic(request, call.target.upstreamModel)
    const stream = call.request.stream === true
    const response = await post(
      call,
      messagesUrl(call.apiBase),
      JSON.stringify(body),
      stream ? 'text/event-stream' : 'application/json',
    )
    if (stream) {
      const out = anthropicStreamToChat(response.body, {
        requestedModel: call.requestedModel,
        includeUsage: call.request.stream_options?.include_usage === true,
        onUsage: (t) => call.observer.usage(t),
        onError: (m) => call.observer.streamError(m),
      })
      return { status: 200, headers: SSE_HEADERS, body: out }
    }
    const text = await readText(response.body)
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    call.observer.usage(usageOf('anthropic', json))
    const parsed = AnthropicMessageIn.safeParse(json)
    if (!parsed.success) {
      throw new AppError(
        'api_error',
        `${describe(call).describe} answered with an unexpected response shape`,
        { status: 502 },
      )
    }
    return jsonAnswer(anthropicMessageToChat(parsed.data, call.requestedModel))
  },
}
