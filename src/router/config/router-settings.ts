/**
 * `router_settings` and `litellm_settings` resolved once into the numbers the dispatcher uses, with LiteLLM's
 * defaults: no retries, 600 s per attempt, 3 allowed fails and a 5 s cooldown. Where both sections set a value
 * `router_settings` wins, as in LiteLLM (its Router takes its own argument, else the `litellm.*` global that
 * `litellm_settings` sets). The seed's `retry_policy {max_retries, timeout, exponential_backoff}` and
 * `enable_loadbalancing` are read too, and the limits upstream answers are read under (`stream_idle_timeout`,
 * `general_settings.max_response_size_mb`).
 */
import type { RouterConfig } from './config-schema.js'

export type Strategy =
  | 'simple-shuffle'
  | 'least-busy'
  | 'latency-based-routing'
  | 'usage-based'
  | 'cost-based'
  | 'ordered'

export interface DispatchSettings {
  strategy: Strategy
  /** Retries after the first attempt, for errors the policy has no own count for. */
  numRetries: number
  /** LiteLLM's per-error counts (`RateLimitErrorRetries: 2`, …). */
  retriesByError: Record<string, number>
  exponentialBackoff: boolean
  /** The first backoff step (`router_settings.retry_after`, default 0.5 s). */
  retryBaseMs: number
  /** A `Retry-After` longer than this is not waited for: the error goes back to the client. */
  maxRetryAfterMs: number
  /** Per attempt, until the answer starts (`timeout`, `retry_policy.timeout`, or the deployment's own). */
  timeoutMs: number
  /** The same for streaming requests (`stream_timeout`, default `timeoutMs`). */
  streamTimeoutMs: number
  allowedFails: number
  cooldownMs: number
  fallbacks: ReadonlyMap<string, readonly string[]>
  /** Where a request goes when its model's context window is exceeded. */
  contextWindowFallbacks: ReadonlyMap<string, readonly string[]>
  /** Fallbacks of a model that has none of its own. */
  defaultFallbacks: readonly string[]
  /** The model a request for an unrouted model is sent to (`litellm_settings.default_model`). */
  defaultModel: string | undefined
  /** Measure the prompt against each deployment's `max_input_tokens` before calling it. */
  preCallChecks: boolean
  cache: { enabled: boolean; ttlMs: number; maxEntries: number }
  /** Limits every upstream answer is read under (`upstream-limits.ts`). */
  upstream: { maxBytes: number; idleMs: number }
}

/** Far above any model's answer (64k tokens of SSE is ~10 MiB), far below what hurts the process. */
const DEFAULT_MAX_RESPONSE_MB = 64
/** As long as undici's own default body timeout. */
const DEFAULT_STREAM_IDLE_SECONDS = 300

const SEED_RETRY_KEYS = new Set(['max_retries', 'timeout', 'exponential_backoff'])

/** `[{a: [b]}, {a: [c]}]` -> `a -> [b, c]`. */
function fallbackMap(lists: readonly Record<string, string[]>[] | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const entry of lists ?? []) {
    for (const [model, list] of Object.entries(entry)) out.set(model, [...(out.get(model) ?? []), ...list])
  }
  return out
}

function strategyOf(s: RouterConfig['router_settings']): Strategy {
  if (s.enable_loadbalancing === false) return 'ordered'
  switch (s.routing_strategy) {
    case 'least-busy':
    case 'latency-based-routing':
      return s.routing_strategy
    case 'usage-based-routing':
    case 'usage-based-routing-v2':
      return 'usage-based'
    case 'cost-based-routing':
      return 'cost-based'
    default:
      return 'simple-shuffle'
  }
}

export function dispatchSettings(config: RouterConfig): DispatchSettings {
  const s = config.router_settings
  const policy = s.retry_policy ?? {}
  const retriesByError: Record<string, number> = {}
  for (const [key, value] of Object.entries(policy)) {
    if (!SEED_RETRY_KEYS.has(key) && typeof value === 'number') retriesByError[key] = value
  }
  const litellm = config.litellm_settings
  const ttl = litellm.cache_params?.ttl ?? 600
  const retryAfter = s.retry_after ?? 0.5
  const timeout = s.timeout ?? policy.timeout ?? litellm.request_timeout ?? 600
  return {
    strategy: strategyOf(s),
    numRetries: s.num_retries ?? policy.max_retries ?? litellm.num_retries ?? 0,
    retriesByError,
    exponentialBackoff: policy.exponential_backoff ?? true,
    retryBaseMs: retryAfter * 1000,
    maxRetryAfterMs: 60_000,
    timeoutMs: timeout * 1000,
    streamTimeoutMs: (s.stream_timeout ?? timeout) * 1000,
    allowedFails: s.allowed_fails ?? 3,
    cooldownMs: (s.cooldown_time ?? 5) * 1000,
    fallbacks: fallbackMap(s.fallbacks ?? litellm.fallbacks),
    contextWindowFallbacks: fallbackMap(s.context_window_fallbacks ?? litellm.context_window_fallbacks),
    defaultFallbacks: s.default_fallbacks ?? [],
    defaultModel: litellm.default_model,
    preCallChecks: s.enable_pre_call_checks === true,
    cache: {
      enabled: litellm.cache === true || s.cache_responses === true,
      ttlMs: ttl * 1000,
      maxEntries: 1000,
    },
    upstream: {
      maxBytes: (config.general_settings.max_response_size_mb ?? DEFAULT_MAX_RESPONSE_MB) * 1024 * 1024,
      idleMs: (s.stream_idle_timeout ?? DEFAULT_STREAM_IDLE_SECONDS) * 1000,
    },
  }
}
