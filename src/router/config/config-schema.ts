/**
 * The router configuration file (a LiteLLM-compatible subset of `litellm_config.yaml`) as a zod schema.
 * `router_settings` are resolved into dispatcher numbers by `router-settings.ts`.
 */
import { z } from 'zod'
import type { ProviderName } from './provider-names.js'

const ENV_REF = 'os.environ/'

const positiveInt = z.number().int().positive()
const nonNegativeInt = z.number().int().min(0)
const seconds = z.number().positive()

/** A literal value or `os.environ/NAME`, resolved from the router's secrets at request time. */
const SecretRef = z.string().min(1)

const ApiBase = z
  .string()
  .min(1)
  .refine((v) => v.startsWith(ENV_REF) || URL.canParse(v), {
    message: 'must be a URL like https://host/v1 or os.environ/NAME',
  })

/**
 * Parameters LiteLLM passes to the provider as request defaults: sent when the client's request does not set
 * them (the client's value wins). `max_tokens` is a cap instead (`build-openai-request.ts`).
 */
export const REQUEST_DEFAULT_KEYS = [
  'temperature',
  'top_p',
  'top_k',
  'stop',
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'repetition_penalty',
  'min_p',
  'logit_bias',
  'user',
  'reasoning_effort',
  'parallel_tool_calls',
  'response_format',
] as const

const requestDefaults = Object.fromEntries(REQUEST_DEFAULT_KEYS.map((key) => [key, z.unknown().optional()]))

export const LitellmParams = z.looseObject({
  /** `provider/model`, a bare name LiteLLM can place (`gpt-4o`), or a name with `custom_llm_provider`. */
  model: z.string().min(1),
  custom_llm_provider: z.string().min(1).optional(),
  api_base: ApiBase.optional(),
  api_key: SecretRef.optional(),
  /** Azure's `api-version` query parameter (default `AZURE_API_VERSION`, then a current GA version). */
  api_version: z.string().min(1).optional(),
  max_tokens: positiveInt.optional(),
  timeout: seconds.optional(),
  /** The per-attempt timeout of streaming requests (LiteLLM's `stream_timeout`). */
  stream_timeout: seconds.optional(),
  rpm: positiveInt.optional(),
  tpm: positiveInt.optional(),
  weight: z.number().positive().optional(),
  /** LiteLLM's deployment priority: lower orders are tried first, higher ones only when those fail. */
  order: z.number().int().min(0).optional(),
  /** Seconds this deployment cools down after repeated failures (overrides `router_settings.cooldown_time`). */
  cooldown_time: z.number().min(0).optional(),
  /** Extra headers sent upstream (values may be `os.environ/NAME`); `extra_headers` is LiteLLM's other name. */
  headers: z.record(z.string(), z.string()).optional(),
  extra_headers: z.record(z.string(), z.string()).optional(),
  /** Merged into the upstream request body. */
  extra_body: z.record(z.string(), z.unknown()).optional(),
  /** Prices per token, for usage costs and cost-based routing (LiteLLM also reads them from `model_info`). */
  input_cost_per_token: z.number().min(0).optional(),
  output_cost_per_token: z.number().min(0).optional(),
  /** Remove the parameters this provider is known to reject (default `litellm_settings.drop_params`). */
  drop_params: z.boolean().optional(),
  /** Top-level request parameters removed before the request is sent (LiteLLM's per-deployment drop list). */
  additional_drop_params: z.array(z.string()).optional(),
  ...requestDefaults,
})
export type LitellmParams = z.infer<typeof LitellmParams>

export const ModelInfo = z.looseObject({
  id: z.string().optional(),
  max_output_tokens: positiveInt.optional(),
  max_input_tokens: positiveInt.optional(),
  /** Prices per token, for usage costs. */
  input_cost_per_token: z.number().min(0).optional(),
  output_cost_per_token: z.number().min(0).optional(),
  rpm: positiveInt.optional(),
  tpm: positiveInt.optional(),
})
export type ModelInfo = z.infer<typeof ModelInfo>

export const ModelEntry = z
  .looseObject({
    model_name: z.string().min(1),
    litellm_params: LitellmParams,
    model_info: ModelInfo.optional(),
    /** LiteLLM also reads a deployment's limits here, beside `litellm_params`. */
    rpm: positiveInt.optional(),
    tpm: positiveInt.optional(),
  })
  .refine((e) => !e.litellm_params.model.includes('*') || e.model_name.includes('*'), {
    message: "litellm_params.model may only contain '*' when model_name is a wildcard pattern",
    path: ['litellm_params', 'model'],
  })
export type ModelEntry = z.infer<typeof ModelEntry>

/** A model_list entry the router serves, with the provider it resolved to (`resolve-provider.ts`). */
export interface ServedEntry extends ModelEntry {
  /** `model_list[3]`, as in the file. */
  id: string
  provider: ProviderName
  /** The upstream model, `*` kept (`openai/gpt-oss-120b` for `groq/openai/gpt-oss-120b`). */
  upstreamModel: string
}

/** A model_list entry that cannot be served, and why; the rest of the file still serves. */
export interface DisabledEntry {
  id: string
  modelName: string | undefined
  reason: string
}

/** LiteLLM's `retry_policy` (`{AuthenticationErrorRetries: 0, …}`) and the seed's `{max_retries, timeout, exponential_backoff}`. */
export const RetryPolicy = z
  .object({
    max_retries: nonNegativeInt.optional(),
    timeout: seconds.optional(),
    exponential_backoff: z.boolean().optional(),
  })
  .catchall(nonNegativeInt)
export type RetryPolicy = z.infer<typeof RetryPolicy>

export const RoutingStrategy = z.enum([
  'simple-shuffle',
  'least-busy',
  'latency-based-routing',
  'usage-based-routing',
  'usage-based-routing-v2',
  'cost-based-routing',
])

/** `[{"groq/x": ["openrouter/y"]}]`: on failure of the key model, try the listed ones in order. */
const Fallbacks = z.array(z.record(z.string(), z.array(z.string())))

export const RouterSettings = z.looseObject({
  routing_strategy: RoutingStrategy.optional(),
  num_retries: nonNegativeInt.optional(),
  timeout: seconds.optional(),
  fallbacks: Fallbacks.optional(),
  context_window_fallbacks: Fallbacks.optional(),
  retry_policy: RetryPolicy.optional(),
  enable_loadbalancing: z.boolean().optional(),
  allowed_fails: nonNegativeInt.optional(),
  cooldown_time: z.number().min(0).optional(),
  model_group_alias: z.record(z.string(), z.string()).optional(),
  /** Seconds before the first retry (doubled per retry with `exponential_backoff`). */
  retry_after: z.number().min(0).optional(),
  /** Cache identical non-streaming answers in memory (also `litellm_settings.cache: true`). */
  cache_responses: z.boolean().optional(),
  /** Seconds an answer that started may go without a byte while the router waits for the next one. */
  stream_idle_timeout: seconds.optional(),
  /** The per-attempt timeout of streaming requests (default `timeout`). */
  stream_timeout: seconds.optional(),
  /** Skip deployments whose `model_info.max_input_tokens` the prompt exceeds. */
  enable_pre_call_checks: z.boolean().optional(),
  /** Fallbacks for any model without its own (LiteLLM's `default_fallbacks`). */
  default_fallbacks: z.array(z.string()).optional(),
})
export type RouterSettings = z.infer<typeof RouterSettings>

export const GeneralSettings = z.looseObject({
  master_key: SecretRef.optional(),
  /** The largest upstream answer the router reads, in MiB (LiteLLM's name). */
  max_response_size_mb: z.number().positive().optional(),
})
export type GeneralSettings = z.infer<typeof GeneralSettings>

/**
 * The module-wide settings LiteLLM applies to every request. `router_settings` wins where both set a value
 * (LiteLLM's Router takes its own argument, else the `litellm.*` global these set).
 */
export const LitellmSettings = z.looseObject({
  num_retries: nonNegativeInt.optional(),
  /** Seconds per attempt (LiteLLM's `litellm.request_timeout`). */
  request_timeout: seconds.optional(),
  fallbacks: Fallbacks.optional(),
  context_window_fallbacks: Fallbacks.optional(),
  /** Remove request parameters a provider is known to reject instead of sending them (its row's list). */
  drop_params: z.boolean().optional(),
  /** Requests for a model no route matches go to this model. */
  default_model: z.string().min(1).optional(),
  /** Cache identical non-streaming answers in memory. */
  cache: z.boolean().optional(),
  cache_params: z.looseObject({ ttl: z.number().positive().optional() }).optional(),
})
export type LitellmSettings = z.infer<typeof LitellmSettings>

/** Scalars a YAML file may give for an environment variable, as the string the process would see. */
const EnvValue = z.union([z.string(), z.number(), z.boolean()]).transform(String)

/** The file as written; `parse-config.ts` turns `model_list` into served and disabled entries. */
export const RouterConfigFile = z.looseObject({
  model_list: z.array(z.unknown()).min(1, 'model_list must list at least one model'),
  router_settings: RouterSettings.default({}),
  general_settings: GeneralSettings.default({}),
  litellm_settings: LitellmSettings.default({}),
  /** Set for the router before anything reads the environment (values may be `os.environ/NAME`). */
  environment_variables: z.record(z.string(), EnvValue).default({}),
})

export interface RouterConfig {
  model_list: ServedEntry[]
  disabled: DisabledEntry[]
  router_settings: RouterSettings
  general_settings: GeneralSettings
  litellm_settings: LitellmSettings
  environment_variables: Record<string, string>
  /** Top-level keys the router does not read (`callbacks`, `guardrails`, …), kept to be reported. */
  unread: Record<string, unknown>
}
