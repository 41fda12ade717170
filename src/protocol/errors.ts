/**
 * The one error type of the project. It carries what HTTP, WebSocket and the router need to answer:
 * a machine-readable `type` (Anthropic's error types where one fits), a message a person can act on,
 * an HTTP status, and whether trying again may succeed. Mapped to responses in one place per surface.
 */

export const ERROR_STATUS = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  /** The request would replace something that is there (an upload over a file, without `replace`). */
  conflict_error: 409,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
  /**
   * A configuration problem (a missing key, a bad router config). 400, not 5xx: Claude Code prints a 4xx
   * message verbatim and gives up, where a 5xx becomes "a server-side issue, usually temporary" and is retried.
   */
  invalid_config: 400,
  /** No route for the requested model. 400, not 404: Claude Code replaces a 404's message with its own. */
  no_route: 400,
} as const

export type ErrorType = keyof typeof ERROR_STATUS

export interface AppErrorOptions {
  status?: number
  retryable?: boolean
  cause?: unknown
  /** Extra headers the HTTP answer should carry (e.g. `retry-after`). */
  headers?: Record<string, string>
}

export class AppError extends Error {
  readonly type: ErrorType
  readonly status: number
  readonly retryable: boolean
  readonly headers: Record<string, string>

  constructor(type: ErrorType, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AppError'
    this.type = type
    this.status = options.status ?? ERROR_STATUS[type]
    this.retryable = options.retryable ?? false
    this.headers = options.headers ?? {}
  }

  toJSON(): { error: { type: string; message: string } } {
    return { error: { type: this.type, message: this.message } }
  }
}

/** Any thrown value as an AppError; unknown errors become a 500 `api_error` with their message. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err
  const message = err instanceof Error ? err.message : String(err)
  return new AppError('api_error', message, { cause: err })
}
