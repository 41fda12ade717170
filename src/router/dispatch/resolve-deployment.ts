/**
 * One deployment of a matched route -> the provider, upstream model, base URL, key and extra headers to call it
 * with. `os.environ/NAME` references are resolved here, at request time.
 */

import { AppError } from '../../protocol/errors.js'
import type { Env } from '../config/env.js'
import {
  defaultApiBase,
  defaultBaseVariables,
  keyFromEnv,
  normaliseApiBase,
  providerVariables,
} from '../config/provider-names.js'
import { resolveSecretRef } from '../config/resolve-secret.js'
import { type Deployment, type RouteMatch, type Target, targetOf } from '../config/route-table.js'
import { PROVIDERS } from '../providers/index.js'
import type { Provider } from '../providers/types.js'

export interface ResolvedDeployment {
  provider: Provider
  target: Target
  apiBase: string
  apiKey: string | undefined
}

/** Azure's `api-version` when neither the entry nor `AZURE_API_VERSION` gives one (its current GA version). */
const DEFAULT_AZURE_API_VERSION = '2024-10-21'

/** Where a deployment without `api_base` gets its address, for the error that says it has none. */
function noBaseMessage(deployment: Deployment): string {
  const row = providerVariables(deployment.provider)
  const needs = defaultBaseVariables(deployment.provider)
  const how =
    needs.length > 0 ? `set ${needs.join(' and ')} (or ${row.baseVariable})` : `set ${row.baseVariable}`
  return `${deployment.provider} has no default base URL: ${how}, or litellm_params.api_base for '${deployment.modelName}' in the router config`
}

export function resolveDeployment(
  secrets: Env,
  match: RouteMatch,
  deployment: Deployment,
): ResolvedDeployment {
  const target = targetOf(match, deployment)
  const provider = PROVIDERS[target.provider]
  const params = deployment.params
  const field = (name: string) => `${deployment.id}.litellm_params.${name}`
  const apiBase =
    params.api_base === undefined
      ? defaultApiBase(target.provider, secrets)
      : normaliseApiBase(target.provider, resolveSecretRef(params.api_base, secrets, field('api_base')))
  if (!apiBase) throw new AppError('invalid_config', noBaseMessage(deployment))
  const row = providerVariables(target.provider)
  const apiKey =
    params.api_key === undefined
      ? keyFromEnv(target.provider, secrets)
      : resolveSecretRef(params.api_key, secrets, field('api_key'))
  if (row.keyless !== true && !apiKey) {
    throw new AppError(
      'invalid_config',
      `the router has no API key for ${target.provider}: set ${row.keyVariable} or litellm_params.api_key for '${deployment.modelName}'`,
    )
  }
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries({ ...params.extra_headers, ...params.headers }))
    headers[name] = resolveSecretRef(value, secrets, field(`headers.${name}`))
  if (row.api === 'azure') {
    const version = params.api_version ?? secrets.AZURE_API_VERSION ?? DEFAULT_AZURE_API_VERSION
    target.apiVersion = resolveSecretRef(version, secrets, field('api_version'))
  }
  if (Object.keys(headers).length > 0) target.headers = headers
  return { provider, target, apiBase, apiKey }
}
