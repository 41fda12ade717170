/**
 * `POST /v1/messages`: validate, then dispatch (deployment choice, retries, fallbacks) to the provider plugin
 * of each attempt's deployment, which answers in the Anthropic format.
 */
import type { z } from 'zod'
import { AppError } from '../../protocol/errors.js'
import type { Env } from '../config/env.js'
import { type DispatchDeps, dispatch } from '../dispatch/dispatch.js'
import { resolveDeployment } from '../dispatch/resolve-deployment.js'
import { MessagesRequest } from '../wire/anthropic-request.js'
import type { IncomingCall } from '../wire/incoming-call.js'

export interface MessagesDeps extends DispatchDeps {
  secrets: Env
  fetch: typeof fetch
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ')
}

/** Parses a JSON body through `schema`; 400 with the bad fields named when it does not fit. */
export function parseBody<T>(schema: z.ZodType<T>, rawBody: string, what: string): T {
  let json: unknown
  try {
    json = JSON.parse(rawBody)
  } catch {
    throw new AppError('invalid_request_error', 'the request body is not valid JSON')
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success)
    throw new AppError('invalid_request_error', `invalid ${what}: ${formatIssues(parsed.error)}`)
  return parsed.data
}

/** Parses the client's body; 400 with the bad fields named when it is not a Messages request. */
export function parseMessagesRequest(rawBody: string): MessagesRequest {
  return parseBody(MessagesRequest, rawBody, 'request')
}

/** Sends one Messages request to its route and answers in the Anthropic format. */
export function handleMessages(
  deps: MessagesDeps,
  incoming: IncomingCall,
  sessionId: string | undefined,
): Promise<Response> {
  const { rawBody, search } = incoming
  const request = parseMessagesRequest(rawBody)
  return dispatch(deps, {
    endpoint: 'messages',
    requestedModel: request.model,
    stream: request.stream === true,
    sessionId,
    signal: incoming.signal,
    rawBody,
    send(match, deployment, signal, observer) {
      const { provider, target, apiBase, apiKey } = resolveDeployment(deps.secrets, match, deployment)
      return provider.send({
        request,
        rawBody,
        headers: incoming.headers,
        search,
        target,
        requestedModel: request.model,
        apiBase,
        apiKey,
        fetch: deps.fetch,
        signal,
        logger: deps.logger,
        observer,
      })
    },
  })
}
