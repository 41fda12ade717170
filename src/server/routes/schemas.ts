/** Request bodies and parameters of the REST API, as zod schemas (also the source of /openapi.json). */
import { z } from 'zod'
import { ClaudeCodeOptions } from '../../protocol/claude-code-options.js'
import { AppError } from '../../protocol/errors.js'
import { MAX_MESSAGE_CHARS, ModelName, PermissionAnswer, SessionId } from '../../protocol/events.js'

export const MessageBody = z.object({
  message: z.string().min(1, 'message must not be empty').max(MAX_MESSAGE_CHARS),
  sessionId: SessionId,
  model: ModelName.optional(),
})

export const RenameBody = z.object({
  title: z.string().trim().min(1, 'title must not be empty').max(200),
})

/** `{allow, remember?: 'tool' | 'prefix', message?}`: the same answer as the WebSocket frame's. */
export const PermissionBody = PermissionAnswer

/** `?q=`: sessions whose title or messages contain it. */
export const SearchQuery = z.object({
  q: z.string().trim().max(200, 'q is at most 200 characters').optional(),
})

export const AfterQuery = z.object({
  after: z.coerce.number({ error: 'after must be a whole number >= 0' }).int().min(0).default(0),
})

export { ClaudeCodeOptions, SessionId }

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')
}

/** Parses untrusted input with a schema; a 400 AppError naming every problem otherwise. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what = 'request'): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success)
    throw new AppError('invalid_request_error', `invalid ${what}: ${describeIssues(parsed.error)}`)
  return parsed.data
}

/** Reads a JSON body; a 400 AppError when it is not JSON. */
export async function jsonBody(read: () => Promise<unknown>): Promise<unknown> {
  try {
    return await read()
  } catch {
    throw new AppError('invalid_request_error', 'the request body must be JSON')
  }
}

/** A path parameter as a session id; 400 when it is not one. */
export function sessionIdParam(value: string): string {
  return parseWith(SessionId, value, 'session id')
}
