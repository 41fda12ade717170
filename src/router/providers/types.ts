/** The interface every provider plugin implements; plugins are collected by prefix in `index.ts`. */
import type { ProviderName } from '../config/provider-names.js'
import type { Target } from '../config/route-table.js'
import type { TokenCounts } from '../usage/price-table.js'
import type { RouterLogger } from '../usage/router-logger.js'
import type { UsageFormat } from '../usage/usage-tap.js'
import type { MessagesRequest } from '../wire/anthropic-request.js'
import type { HeaderReader } from '../wire/incoming-call.js'
import type { OpenAIChatBody } from '../wire/openai-chat-request.js'
import type { ChunkReader, Upstream } from './upstream.js'

/** What a provider reports about an answer while it is sent (usage accounting). */
export interface CallObserver {
  /** Token counts as the provider reported them; a later call replaces an earlier one. */
  usage(tokens: TokenCounts): void
  /** A failure after the answer started, already sent to the client as an `error` event. */
  streamError(message: string): void
  /** For a streamed answer passed through unchanged: read its usage from the SSE events as they go by. */
  readSseUsage(format: UsageFormat): void
}

/** One request to one deployment, with everything resolved. */
export interface ProviderCall extends UpstreamCall {
  request: MessagesRequest
}

/** One OpenAI chat-completions request (`POST /v1/chat/completions`) to one deployment. */
export interface ChatProviderCall extends UpstreamCall {
  request: OpenAIChatBody
}

/** What every call to a deployment carries. */
export interface UpstreamCall {
  /** The client's body as received (the Anthropic pass-through forwards it unchanged). */
  rawBody: string
  /** The client's headers (`anthropic-version`, `anthropic-beta`, `accept`). */
  headers: HeaderReader
  /** The client's query string including `?`, or ''. */
  search: string
  target: Target
  /** The model name the client asked for, echoed back. */
  requestedModel: string
  apiBase: string
  apiKey: string | undefined
  upstream: Upstream
  signal: AbortSignal | undefined
  logger: RouterLogger
  observer: CallObserver
}

/**
 * What a provider answers: a whole answer as text (read to its end already, so it cannot fail any more), or
 * a stream read chunk by chunk, which dispatch holds until its first chunk and then hands to the client.
 */
export interface ProviderAnswer {
  status: number
  headers: Record<string, string>
  body: string | ChunkReader
}

export interface Provider {
  name: ProviderName
  /**
   * Sends the request and answers in the Anthropic Messages format (JSON or SSE). Failures before the
   * answer starts are thrown as `AppError`s (with `retryable`); failures after it are `event: error`.
   */
  send(call: ProviderCall): Promise<ProviderAnswer>
  /** Answers an OpenAI chat-completions request in the OpenAI format (JSON or SSE). */
  chatCompletions(call: ChatProviderCall): Promise<ProviderAnswer>
  /**
   * `POST /v1/messages/count_tokens` at the provider, when it has such an endpoint (Anthropic); others are
   * counted locally.
   */
  countTokens?(call: ProviderCall): Promise<ProviderAnswer & { body: string }>
}

/** A whole JSON answer. */
export function jsonAnswer(body: unknown, status = 200): ProviderAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}

/**
 * `https://user:pw@host/v1/?q` -> `https://host/v1`, for messages that name the upstream: a configured base,
 * or the URL of a call (its limits name it when they fail).
 */
const displayed = new Map<string, string>()

export function displayUrl(base: string): string {
  let shown = displayed.get(base)
  if (shown === undefined) {
    try {
      const url = new URL(base)
      shown = `${url.origin}${url.pathname}`.replace(/\/+$/, '')
    } catch {
      shown = '(invalid URL)'
    }
    // Bases and the URLs built from them come from the config (a handful); the bound only guards against churn.
    if (displayed.size >= 256) displayed.clear()
    displayed.set(base, shown)
  }
  return shown
}

/** An observer for calls whose usage is not recorded. */
export const noopObserver: CallObserver = {
  usage() {},
  streamError() {},
  readSseUsage() {},
}
