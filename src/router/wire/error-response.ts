/** Any error -> Anthropic's error shape `{type: "error", error: {type, message}}` with its status and headers. */
import { type AppError, toAppError } from '../../protocol/errors.js'
import { jsonResponse } from './json-response.js'

const ANTHROPIC_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'timeout_error',
  'overloaded_error',
  // Ours, kept so a client can tell a configuration problem from a bad request; Claude Code goes by status.
  'invalid_config',
  'no_route',
])

export interface AnthropicErrorBody {
  type: 'error'
  error: { type: string; message: string }
}

export function anthropicErrorBody(err: AppError): AnthropicErrorBody {
  return {
    type: 'error',
    error: { type: ANTHROPIC_TYPES.has(err.type) ? err.type : 'api_error', message: err.message },
  }
}

export function errorResponse(err: unknown): Response {
  const appError = toAppError(err)
  return jsonResponse(anthropicErrorBody(appError), { status: appError.status, headers: appError.headers })
}
