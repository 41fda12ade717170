/**
 * The router configuration file (a LiteLLM-compatible subset of `litellm_config.yaml`) as a zod schema.
 * `router_settings` are resolved into dispatcher numbers by `router-settings.ts`.
 */
import { z } from 'zod'
import { isProviderName, PROVIDER_NAMES, splitProviderModel } from './provider-names.js'

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

export const LitellmParams = z.looseObject({
  model: z
    .string()
    .min(1)
    .refine((v) => isProviderName(splitProviderModel(v).provider) && splitProviderModel(v).model !== '', {
      message: `must start with a provider prefix (${PROVIDER_NAMES.map((p) => `${p}/`).join(', ')}) followed by a model name`,
    }),
  api_base: ApiBase.optional(),
  api_key: SecretRef.optional(),
  max_tokens: positiveInt.optional(),
  timeout: seconds.optional(),
  rpm: positiveInt.optional(),
  tpm: positiveInt.optional(),
  weight: z.number().positive().optional(),
})
export type LitellmParams = z.infer<typeof LitellmParams>

export const ModelInfo = z.looseObject({
  id: z.string().optional(),
  max_output_tokens: positiveInt.optional(),
  max_input_tokens: positiveInt.optional(),
})
export type ModelInfo = z.infer<typeof ModelInfo>

export const ModelEntry = z
  .object({
    model_name: z.string().min(1),
    litellm_params: LitellmParams,
    model_info: ModelInfo.optional(),
  })
  .refine((e) => !e.litellm_params.model.includes('*') || e.model_name.includes('*'), {
    message: "litellm_params.model may only contain '*' when model_name is a wildcard pattern",
    path: ['litellm_params', 'model'],
  })
export type ModelEntry = z.infer<typeof ModelEntry>

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
})
export type RouterSettings = z.infer<typeof RouterSettings>

export const GeneralSettings = z.looseObject({
  master_key: SecretRef.optional(),
  /** The largest upstream answer the router reads, in MiB (LiteLLM's name). */
  max_response_size_mb: z.number().positive().optional(),
})
export type GeneralSettings = z.infer<typeof GeneralSettings>

export const RouterConfig = z.object({
  model_list: z.array(ModelEntry).min(1, 'model_list must list at least one model'),
  router_settings: RouterSettings.default({}),
  general_settings: GeneralSettings.default({}),
  litellm_settings: z.record(z.string(), z.unknown()).optional(),
})
export type RouterConfig = z.infer<typeof RouterConfig>
