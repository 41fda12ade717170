/**
 * Provider failures as `AppError`s in Anthropic's vocabulary (conformance case 22): the HTTP status is kept,
 * `retry-after` survives a 429, 503/529 are `overloaded_error`, and `retryable` is set for 408/409/429/5xx and
 * connection failures so a later retry layer decides in one place. Messages name the provider and base URL and
 * are scrubbed of the key.
 */
import { AppError, type ErrorType } from '../../protocol/errors.js'
import { readText, type Upstream, type UpstreamAnswer } from './upstream.js'

const MAX_MESSAGE = 600

export function errorTypeForStatus(status: number): ErrorType {
  if (status === 400 || status === 422) return 'invalid_request_error'
  if (status === 401) return 'authentication_error'
  if (status === 403) return 'permission_error'
  if (status === 404) return 'not_found_error'
  if (status === 408 || status === 504) return 'timeout_error'
  if (status === 413) return 'request_too_large'
  if (status === 429) return 'rate_limit_error'
  if (status === 503 || status === 529) return 'overloaded_error'
  if (status >= 500) return 'api_error'
  return 'invalid_request_error'
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500
}

/** Replaces every occurrence of the secrets in `text`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]')
  return out
}

/** The human part of an error body: OpenAI `{error: {message}}`, Anthropic `{error: {message}}`, `{message}`, text. */
export function upstreamMessage(bodyText: string): string {
  try {
    const body: unknown = JSON.parse(bodyText)
    if (typeof body === 'object' && body !== null) {
      const err = 'error' in body ? body.error : body
      if (typeof err === 'string') return err
      if (typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string') {
        return err.message
      }
    }
  } catch {
    // not JSON: use the text
  }
  return bodyText.trim()
}

export interface UpstreamContext {
  /** `groq at https://api.groq.com/openai/v1` */
  describe: string
  /** Values that must never appear in a message (the provider key). */
  secrets: readonly (string | undefined)[]
}

/** An AppError for a non-2xx upstream answer. */
export async function upstreamHttpError(response: UpstreamAnswer, ctx: UpstreamContext): Promise<AppError> {
  const text = await readText(response.body).catch(() => '')
  let detail = redact(upstreamMessage(text), ctx.secrets)
  if (detail.length > MAX_MESSAGE) detail = `${detail.slice(0, MAX_MESSAGE)}…`
  const headers: Record<string, string> = {}
  const retryAfter = response.headers.get('retry-after')
  if (retryAfter) headers['retry-after'] = retryAfter
  return new AppError(
    errorTypeForStatus(response.status),
    `${ctx.describe} returned ${response.status}${detail ? `: ${detail}` : ''}`,
    { status: response.status, retryable: isRetryableStatus(response.status), headers },
  )
}

/** An AppError for a request that never got an answer (DNS, refused, reset, aborted). */
export function upstreamConnectionError(err: unknown, ctx: UpstreamContext): AppError {
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : ''
  const reason = redact(`${err instanceof Error ? err.message : String(err)}${cause}`, ctx.secrets)
  return new AppError('api_error', `could not reach ${ctx.describe}: ${reason}`, {
    status: 502,
    retryable: true,
    cause: err,
  })
}

/** POSTs `body` to `url`; no answer, or a non-2xx one, is thrown as an AppError naming the upstream. */
export async function postUpstream(
  call: { upstream: Upstream; signal: AbortSignal | undefined },
  url: string,
  headers: Record<string, string>,
  body: string,
  ctx: UpstreamContext,
): Promise<UpstreamAnswer> {
  let answer: UpstreamAnswer
  try {
    answer = await call.upstream(url, { method: 'POST', headers, body, signal: call.signal })
  } catch (err) {
    throw upstreamConnectionError(err, ctx)
  }
  if (answer.status < 200 || answer.status > 299) throw await upstreamHttpError(answer, ctx)
  return answer
}
