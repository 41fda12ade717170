/**
 * `POST /v1/messages/count_tokens`: Anthropic routes ask Anthropic's own endpoint (the body passed through);
 * every other route is counted locally with a real tokenizer over every block type.
 */
import { z } from 'zod'
import { AppError } from '../../protocol/errors.js'
import { pickDeployment } from '../dispatch/pick-deployment.js'
import { resolveDeployment } from '../dispatch/resolve-deployment.js'
import { noopObserver } from '../providers/types.js'
import { countRequestTokens } from '../usage/count-tokens.js'
import { MessagesRequest } from '../wire/anthropic-request.js'
import type { ClientSignal, IncomingCall } from '../wire/incoming-call.js'
import { jsonResponse } from '../wire/json-response.js'
import { type MessagesDeps, parseBody } from './handle-messages.js'

/** Aborted when the client goes away or after `ms`. */
function withTimeout(client: ClientSignal | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(ms)
  if (!client) return timeout
  const gone = new AbortController()
  if (client.aborted) gone.abort(client.reason)
  else client.addEventListener('abort', () => gone.abort(client.reason), { once: true })
  return AbortSignal.any([gone.signal, timeout])
}

/** count_tokens takes a Messages request without `max_tokens`. */
const CountTokensRequest = MessagesRequest.extend({ max_tokens: z.number().int().positive().optional() })

export async function handleCountTokens(deps: MessagesDeps, incoming: IncomingCall): Promise<Response> {
  const { rawBody } = incoming
  const request = parseBody(CountTokensRequest, rawBody, 'count_tokens request')
  const match = deps.table.resolve(request.model)
  if (!match) {
    throw new AppError(
      'no_route',
      `no route for model '${request.model}'; configured patterns: ${deps.table.patterns().join(', ')}`,
    )
  }
  const deployment = pickDeployment(match.route.deployments, deps.settings.strategy, deps.health, new Set())
  if (deployment) {
    const resolved = resolveDeployment(deps.secrets, match, deployment)
    if (resolved.provider.countTokens) {
      const answer = await resolved.provider.countTokens({
        request: { ...request, max_tokens: request.max_tokens ?? 1 },
        rawBody,
        headers: incoming.headers,
        search: incoming.search,
        target: resolved.target,
        requestedModel: match.requestedModel,
        apiBase: resolved.apiBase,
        apiKey: resolved.apiKey,
        upstream: deps.upstream,
        // Not dispatched, so the attempt `timeout` is applied here.
        signal: withTimeout(incoming.signal, deps.settings.timeoutMs),
        logger: deps.logger,
        observer: noopObserver,
      })
      return new Response(answer.body, { status: answer.status, headers: answer.headers })
    }
  }
  return jsonResponse({ input_tokens: await countRequestTokens(request) })
}
