/**
 * The OpenAPI 3.1 document served at `/openapi.json`. Request bodies come from the same zod schemas the routes
 * validate with, so the document cannot drift from what the server accepts.
 */
import { z } from 'zod'
import { ClaudeCodeOptions, MessageBody, PermissionBody, RenameBody } from './routes/schemas.js'

const ErrorBody = z.object({ error: z.object({ type: z.string(), message: z.string() }) })

type Schema = Record<string, unknown>
const json = (schema: z.ZodType): Schema =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Schema

function op(summary: string, extra: Schema = {}): Schema {
  return {
    summary,
    responses: {
      '200': { description: 'OK' },
      '4XX': {
        description: 'Bad input, missing auth or unknown session',
        content: { 'application/json': { schema: json(ErrorBody) } },
      },
    },
    ...extra,
  }
}

const body = (schema: z.ZodType): Schema => ({
  requestBody: { required: true, content: { 'application/json': { schema: json(schema) } } },
})
const sessionParam = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
}
const withSession = (summary: string, extra: Schema = {}) =>
  op(summary, { parameters: [sessionParam], ...extra })

const withPath = {
  parameters: [sessionParam, { name: 'path', in: 'path', required: true, schema: { type: 'string' } }],
}

let cached: Schema | undefined

export function openApiDocument(): Schema {
  cached ??= {
    openapi: '3.1.0',
    info: {
      title: 'agent-router',
      version: '0.1.0',
      description:
        'Per-session Claude Code agents in sandboxes, with a LiteLLM-compatible model router at /llm. The WebSocket API is at /demo/ws/{sessionId}?after=SEQ.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'AUTH_TOKEN, when the server has one' },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/health': { get: { ...op('Liveness'), security: [] } },
      '/metrics': { get: op('Prometheus metrics') },
      '/agent/message': { post: op('Run a turn and answer when it ends', body(MessageBody)) },
      '/agent/info': { get: op('Default model, sandbox driver, configured providers and warnings') },
      '/agent/models': {
        get: op('Models of the configured providers, the default model, and routes that take any model name'),
      },
      '/agent/sessions': {
        get: op('Sessions, most recent first; with ?q=, those whose title or messages contain it', {
          parameters: [{ name: 'q', in: 'query', schema: { type: 'string', maxLength: 200 } }],
        }),
      },
      '/agent/sessions/{id}': {
        get: withSession('Session state (AgentSessionState)'),
        patch: withSession('Rename a session', body(RenameBody)),
        delete: withSession('Delete a session, its container and its workspace'),
      },
      '/agent/sessions/{id}/events': {
        get: withSession('Persisted events after a seq', {
          parameters: [sessionParam, { name: 'after', in: 'query', schema: { type: 'integer', minimum: 0 } }],
        }),
      },
      '/agent/sessions/{id}/files': { get: withSession('Workspace files') },
      '/agent/sessions/{id}/files/{path}': {
        get: op('One workspace file', withPath),
        put: op(
          'Upload a file into the workspace (raw body, at most 25 MB; 409 over a file unless ?replace=true)',
          {
            parameters: [
              ...withPath.parameters,
              { name: 'replace', in: 'query', schema: { type: 'boolean' } },
            ],
          },
        ),
      },
      '/agent/sessions/{id}/download': { get: withSession('The workspace as a zip archive') },
      '/agent/sessions/{id}/download/{path}': { get: op('One workspace file, as an attachment', withPath) },
      '/agent/sessions/{id}/interrupt': { post: withSession('Stop the running turn') },
      '/agent/permissions': { get: op('Permission prompts waiting for an answer, in every session') },
      '/agent/sessions/{id}/permissions/{requestId}': {
        post: op('Answer a permission prompt', {
          parameters: [
            sessionParam,
            { name: 'requestId', in: 'path', required: true, schema: { type: 'string' } },
          ],
          ...body(PermissionBody),
        }),
      },
      '/claude-code': { post: op('Legacy direct run (NDJSON when stream is true)', body(ClaudeCodeOptions)) },
      '/claude-code/debug': {
        get: op('Container debug info, secrets redacted', {
          parameters: [{ name: 'sessionId', in: 'query', required: true, schema: { type: 'string' } }],
        }),
      },
      '/llm/v1/messages': { post: op('Anthropic Messages API (router)') },
      '/llm/v1/messages/count_tokens': { post: op('Count tokens (router)') },
      '/llm/v1/chat/completions': { post: op('OpenAI chat completions (router)') },
      '/llm/v1/models': { get: op('Configured models (router)') },
      '/llm/health': { get: { ...op('Router liveness'), security: [] } },
    },
  }
  return cached
}
