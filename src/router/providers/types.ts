/** The interface every provider plugin implements; plugins are collected by prefix in `index.ts`. */
import type { Env } from '../../config/config.js'
import type { MessagesRequest } from '../anthropic-request.js'
import type { Target } from '../route-table.js'
import type { RouterLogger } from '../router-options.js'
import type { ProviderName } from './provider-names.js'

/** One request to one deployment, with everything resolved. */
export interface ProviderCall {
  request: MessagesRequest
  /** The client's body as received (the Anthropic pass-through forwards it unchanged). */
  rawBody: string
  /** The client's headers (`anthropic-version`, `anthropic-beta`, `accept`). */
  headers: Headers
  /** The client's query string including `?`, or ''. */
  search: string
  target: Target
  /** The model name the client asked for, echoed back. */
  requestedModel: string
  apiBase: string
  apiKey: string | undefined
  fetch: typeof fetch
  signal: AbortSignal | undefined
  logger: RouterLogger
}

export interface Provider {
  name: ProviderName
  /** The variable in the router's secrets that holds the key when the config gives none. */
  keyVariable: string | undefined
  /** Whether a request without a key is refused before it is sent. */
  requiresKey: boolean
  /** The base URL when the config gives no `api_base`; undefined when the provider has none. */
  defaultApiBase(secrets: Env): string | undefined
  /**
   * Sends the request and answers in the Anthropic Messages format (JSON or SSE). Failures before the
   * answer starts are thrown as `AppError`s (with `retryable`); failures after it are `event: error`.
   */
  send(call: ProviderCall): Promise<Response>
}

/** `https://user:pw@host/v1/` -> `https://host/v1`, for messages that name the upstream. */
export function displayUrl(base: string): string {
  try {
    const url = new URL(base)
    return `${url.origin}${url.pathname}`.replace(/\/+$/, '')
  } catch {
    return '(invalid URL)'
  }
}
