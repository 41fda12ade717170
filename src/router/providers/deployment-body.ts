/**
 * What a deployment changes in every request body, as LiteLLM does with the rest of `litellm_params`: request
 * defaults (`temperature: 0.2`) where the client's request does not set them, then `extra_body` merged over
 * the whole body, then the parameters of `additional_drop_params` removed, and with `drop_params` those the
 * provider's row lists as rejected.
 */
import { REQUEST_DEFAULT_KEYS } from '../config/config-schema.js'
import type { Deployment } from '../config/route-table.js'

/** The request defaults Anthropic's Messages API takes under the same name. */
export const ANTHROPIC_DEFAULT_KEYS: readonly string[] = ['temperature', 'top_p', 'top_k']

/**
 * `body` with the deployment's defaults (of `keys`) and `extra_body`; undefined when the deployment adds
 * nothing, so a body can be passed through unchanged.
 */
export function deploymentBody<T extends object>(
  deployment: Deployment,
  body: T,
  keys: readonly string[] = REQUEST_DEFAULT_KEYS,
  rejected: readonly string[] = [],
): (T & Record<string, unknown>) | undefined {
  const params = deployment.params
  const given = params as Record<string, unknown>
  const defaults: Record<string, unknown> = {}
  for (const key of keys) {
    if (given[key] !== undefined && !Object.hasOwn(body, key)) defaults[key] = given[key]
  }
  const extra = params.extra_body ?? {}
  const dropped = [...(params.additional_drop_params ?? []), ...(deployment.dropParams ? rejected : [])]
  const drop = dropped.filter((key) => Object.hasOwn(body, key) || key in extra)
  if (Object.keys(defaults).length === 0 && Object.keys(extra).length === 0 && drop.length === 0)
    return undefined
  const out: Record<string, unknown> = { ...defaults, ...body, ...extra }
  for (const key of drop) delete out[key]
  return out as T & Record<string, unknown>
}
