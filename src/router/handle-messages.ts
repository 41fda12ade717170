/**
 * `POST /v1/messages`: validate, find the route, resolve the deployment's base URL and key, hand the call to
 * the provider plugin. Retries, fallbacks and balancing plug in at `dispatch` (a route already holds every
 * deployment of its `model_name`, and provider errors carry `retryable`).
 */
import type { z } from 'zod'
import type { Env } from '../config/config.js'
import { AppError } from '../protocol/errors.js'
import { MessagesRequest } from './anthropic-request.js'
import { PROVIDERS } from './providers/index.js'
import type { ProviderCall } from './providers/types.js'
import { resolveSecretRef } from './resolve-secret.js'
import { type RouteMatch, type RouteTable, targetOf } from './route-table.js'
import type { RouterLogger } from './router-options.js'

export interface MessagesDeps {
  table: RouteTable
  secrets: Env
  fetch: typeof fetch
  logger: RouterLogger
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ')
}

/** Parses the client's body; 400 with the bad fields named when it is not a Messages request. */
export function parseMessagesRequest(rawBody: string): MessagesRequest {
  let json: unknown
  try {
    json = JSON.parse(rawBody)
  } catch {
    throw new AppError('invalid_request_error', 'the request body is not valid JSON')
  }
  const parsed = MessagesRequest.safeParse(json)
  if (!parsed.success)
    throw new AppError('invalid_request_error', `invalid request: ${formatIssues(parsed.error)}`)
  return parsed.data
}

function resolveCall(
  deps: MessagesDeps,
  match: RouteMatch,
  base: Omit<ProviderCall, 'target' | 'apiBase' | 'apiKey' | 'requestedModel'>,
): ProviderCall {
  const deployment = match.route.deployments[0]
  if (!deployment) throw new AppError('invalid_config', `route '${match.route.pattern}' has no deployment`)
  const target = targetOf(match, deployment)
  const provider = PROVIDERS[target.provider]
  const params = deployment.params
  const apiBase =
    params.api_base === undefined
      ? provider.defaultApiBase(deps.secrets)
      : resolveSecretRef(params.api_base, deps.secrets, `${deployment.id}.litellm_params.api_base`)
  if (!apiBase) {
    throw new AppError(
      'invalid_config',
      `${provider.name} has no default base URL: set litellm_params.api_base for '${deployment.modelName}' in the router config`,
    )
  }
  const apiKey =
    params.api_key === undefined
      ? provider.keyVariable && deps.secrets[provider.keyVariable]
        ? deps.secrets[provider.keyVariable]
        : undefined
      : resolveSecretRef(params.api_key, deps.secrets, `${deployment.id}.litellm_params.api_key`)
  if (provider.requiresKey && !apiKey) {
    throw new AppError(
      'invalid_config',
      `the router has no API key for ${provider.name}: set ${provider.keyVariable} or litellm_params.api_key for '${deployment.modelName}'`,
    )
  }
  return { ...base, target, apiBase, apiKey, requestedModel: match.requestedModel }
}

/** Sends one Messages request to its route and answers in the Anthropic format. */
export async function handleMessages(deps: MessagesDeps, incoming: Request): Promise<Response> {
  const rawBody = await incoming.text()
  const request = parseMessagesRequest(rawBody)
  const match = deps.table.resolve(request.model)
  if (!match) {
    throw new AppError(
      'not_found_error',
      `no route for model '${request.model}'; configured patterns: ${deps.table.patterns().join(', ')}`,
    )
  }
  const call = resolveCall(deps, match, {
    request,
    rawBody,
    headers: incoming.headers,
    search: new URL(incoming.url).search,
    fetch: deps.fetch,
    signal: incoming.signal,
    logger: deps.logger,
  })
  return dispatch(deps, call)
}

async function dispatch(deps: MessagesDeps, call: ProviderCall): Promise<Response> {
  const started = Date.now()
  const provider = PROVIDERS[call.target.provider]
  const log = {
    model: call.requestedModel,
    provider: provider.name,
    upstreamModel: call.target.upstreamModel,
    deployment: call.target.deployment.id,
    stream: call.request.stream === true,
  }
  try {
    const response = await provider.send(call)
    deps.logger.info({ ...log, status: response.status, ms: Date.now() - started }, 'routed')
    return response
  } catch (err) {
    const status = err instanceof AppError ? err.status : 500
    const message = err instanceof Error ? err.message : String(err)
    deps.logger.warn({ ...log, status, ms: Date.now() - started, error: message }, 'upstream failed')
    throw err
  }
}
