/** One deployment of a matched route -> the provider, upstream model, base URL and key to call it with. */

import { AppError } from '../../protocol/errors.js'
import type { Env } from '../config/env.js'
import { providerVariables } from '../config/provider-names.js'
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

export function resolveDeployment(
  secrets: Env,
  match: RouteMatch,
  deployment: Deployment,
): ResolvedDeployment {
  const target = targetOf(match, deployment)
  const provider = PROVIDERS[target.provider]
  const params = deployment.params
  const apiBase =
    params.api_base === undefined
      ? provider.defaultApiBase(secrets)
      : resolveSecretRef(params.api_base, secrets, `${deployment.id}.litellm_params.api_base`)
  if (!apiBase) {
    throw new AppError(
      'invalid_config',
      `${provider.name} has no default base URL: set litellm_params.api_base for '${deployment.modelName}' in the router config`,
    )
  }
  const { keyVariable } = providerVariables(provider.name)
  const apiKey =
    params.api_key === undefined
      ? secrets[keyVariable] || undefined
      : resolveSecretRef(params.api_key, secrets, `${deployment.id}.litellm_params.api_key`)
  if (provider.requiresKey && !apiKey) {
    throw new AppError(
      'invalid_config',
      `the router has no API key for ${provider.name}: set ${keyVariable} or litellm_params.api_key for '${deployment.modelName}'`,
    )
  }
  return { provider, target, apiBase, apiKey }
}
