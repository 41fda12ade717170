/**
 * `POST /v1/chat/completions`: an OpenAI-format request, passed through to OpenAI-compatible providers and
 * translated for `anthropic/*`, with the same dispatch (retries, fallbacks, usage) as `/v1/messages`.
 * Errors answer in OpenAI's shape `{error: {message, type, code}}`.
 */
import { type AppError, toAppError } from '../../protocol/errors.js'
import { dispatch as dispatchRequest } from '../dispatch/dispatch.js'
import { countChatTokens } from '../usage/count-tokens.js'
import type { IncomingCall } from '../wire/incoming-call.js'
import { jsonResponse } from '../wire/json-response.js'
import { OpenAIChatBody } from '../wire/openai-chat-request.js'
import { attemptCall, type MessagesDeps, parseBody } from './handle-messages.js'

export function openAIErrorResponse(err: unknown): Response {
  const e: AppError = toAppError(err)
  return jsonResponse(
    { error: { message: e.message, type: e.type, code: e.status, param: null } },
    { status: e.status, headers: e.headers },
  )
}

export async function handleChatCompletions(
  deps: MessagesDeps,
  incoming: IncomingCall,
  sessionId: string | undefined,
): Promise<Response> {
  try {
    const { rawBody } = incoming
    const request = parseBody(OpenAIChatBody, rawBody, 'chat completions request')
    return await dispatch(deps, incoming, rawBody, request, sessionId)
  } catch (err) {
    return openAIErrorResponse(err)
  }
}

async function dispatch(
  deps: MessagesDeps,
  incoming: IncomingCall,
  rawBody: string,
  request: OpenAIChatBody,
  sessionId: string | undefined,
): Promise<Response> {
  return dispatchRequest(deps, {
    endpoint: 'chat_completions',
    requestedModel: request.model,
    stream: request.stream === true,
    sessionId,
    signal: incoming.signal,
    rawBody,
    inputTokens: () => countChatTokens(request),
    send(match, deployment, signal, observer) {
      const attempt = { match, deployment, signal, observer, requestedModel: request.model, search: '' }
      const { provider, call } = attemptCall(deps, incoming, attempt)
      return provider.chatCompletions({ ...call, request })
    },
  })
}
