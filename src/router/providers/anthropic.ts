/**
 * Anthropic: a byte-for-byte pass-through of the Messages API (conformance case 24). The body is forwarded as
 * received except for the top-level `model`, which is rewritten in place when the upstream name differs; the
 * answer (JSON or SSE) comes back unchanged. `anthropic-version` and `anthropic-beta` are forwarded.
 */
import { AppError } from '../../protocol/errors.js'
import { rewriteModelField } from '../rewrite-model-field.js'
import { upstreamConnectionError, upstreamHttpError } from '../upstream-error.js'
import { displayUrl, type Provider, type ProviderCall } from './types.js'

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

export const anthropic: Provider = {
  name: 'anthropic',
  keyVariable: 'ANTHROPIC_API_KEY',
  requiresKey: true,
  defaultApiBase: () => 'https://api.anthropic.com',
  async send(call: ProviderCall): Promise<Response> {
    const ctx = { describe: `anthropic at ${displayUrl(call.apiBase)}`, secrets: [call.apiKey] }
    let body = call.rawBody
    if (call.target.upstreamModel !== call.request.model) {
      const rewritten = rewriteModelField(body, call.target.upstreamModel)
      if (rewritten === undefined) {
        throw new AppError('invalid_request_error', 'the request body has no top-level "model" string')
      }
      body = rewritten
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'anthropic-version': call.headers.get('anthropic-version') ?? DEFAULT_VERSION,
    }
    const beta = call.headers.get('anthropic-beta')
    if (beta) headers['anthropic-beta'] = beta
    const accept = call.headers.get('accept')
    if (accept) headers.accept = accept
    if (call.apiKey) headers['x-api-key'] = call.apiKey
    let response: Response
    try {
      response = await call.fetch(`${messagesUrl(call.apiBase)}${call.search}`, {
        method: 'POST',
        headers,
        body,
        signal: call.signal,
      })
    } catch (err) {
      throw upstreamConnectionError(err, ctx)
    }
    if (!response.ok) throw await upstreamHttpError(response, ctx)
    const out = new Headers()
    for (const name of KEEP_HEADERS) {
      const value = response.headers.get(name)
      if (value) out.set(name, value)
    }
    return new Response(response.body, { status: response.status, headers: out })
  },
}
