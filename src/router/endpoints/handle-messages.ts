/**
 * `POST /v1/messages`: validate, then dispatch (deployment choice, retries, fallbacks) to the provider plugin
 * of each attempt's deployment, which answers in the Anthropic format.
 */
import type { z } from 'zod'
import { AppError } from '../../protocol/errors.js'
import type { Env } from '../config/env.js'
import type { Deployment, RouteMatch } from '../config/route-table.js'
import { type DispatchDeps, dispatch } from '../dispatch/dispatch.js'
import { resolveDeployment } from '../dispatch/resolve-deployment.js'
import { refuseSeveralChoices } from '../providers/one-choice.js'
import type { CallObserver, Provider, UpstreamCall } from '../providers/types.js'
import type { Upstream } from '../providers/upstream.js'
import { countRequestTokens } from '../usage/count-tokens.js'
import { MessagesRequest } from '../wire/anthropic-request.js'
import type { IncomingCall } from '../wire/incoming-call.js'

export interface MessagesDeps extends DispatchDeps {
  secrets: Env
  upstream: Upstream
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
  const request = parseBody(MessagesRequest, rawBody, 'request')
  refuseSeveralChoices(request.n, "Anthropic's Messages API")
  return request
}

/**
 * One attempt at one deployment, for either endpoint: the provider to call, and what every call to it carries
 * (the client's body, headers and query; the resolved target, address and key; the attempt's signal).
 */
export function attemptCall(
  deps: MessagesDeps,
  incoming: IncomingCall,
  attempt: {
    match: RouteMatch
    deployment: Deployment
    signal: AbortSignal
    observer: CallObserver
    requestedModel: string
    search: string
  },
): { provider: Provider; call: UpstreamCall } {
  const { provider, target, apiBase, apiKey } = resolveDeployment(
    deps.secrets,
    attempt.match,
    attempt.deployment,
  )
  return {
    provider,
    call: {
      rawBody: incoming.rawBody,
      headers: incoming.headers,
      search: attempt.search,
      target,
      requestedModel: attempt.requestedModel,
      apiBase,
      apiKey,
      upstream: deps.upstream,
      signal: attempt.signal,
      logger: deps.logger,
      observer: attempt.observer,
    },
  }
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
    inputTokens: () => countRequestTokens(request),
    send(match, deployment, signal, observer) {
      const attempt = { match, deployment, signal, observer, requestedModel: request.model, search }
      const { provider, call } = attemptCall(deps, incoming, attempt)
      return provider.send({ ...call, request })
    },
  })
}
