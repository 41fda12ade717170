/**
 * `router_settings` (and the caching switch of `litellm_settings`) resolved once into the numbers the
 * dispatcher uses, with LiteLLM's defaults: no retries, 600 s per attempt, 3 allowed fails and a 5 s cooldown.
 * The seed's `retry_policy {max_retries, timeout, exponential_backoff}` and `enable_loadbalancing` are read too,
 * and the limits upstream answers are read under (`stream_idle_timeout`, `general_settings.max_response_size_mb`).
 */
import type { RouterConfig } from './config-schema.js'

export type Strategy = 'simple-shuffle' | 'least-busy' | 'latency-based-routing' | 'ordered'

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
  allowedFails: number
  cooldownMs: number
  fallbacks: ReadonlyMap<string, readonly string[]>
  cache: { enabled: boolean; ttlMs: number; maxEntries: number }
  /** Limits every upstream answer is read under (`upstream-limits.ts`). */
  upstream: { maxBytes: number; idleMs: number }
}

/** Far above any model's answer (64k tokens of SSE is ~10 MiB), far below what hurts the process. */
const DEFAULT_MAX_RESPONSE_MB = 64
/** As long as undici's own default body timeout. */
const DEFAULT_STREAM_IDLE_SECONDS = 300

const SEED_RETRY_KEYS = new Set(['max_retries', 'timeout', 'exponential_backoff'])

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

export function dispatchSettings(config: RouterConfig): DispatchSettings {
  const s = config.router_settings
  const policy = s.retry_policy ?? {}
  const retriesByError: Record<string, number> = {}
  for (const [key, value] of Object.entries(policy)) {
    if (!SEED_RETRY_KEYS.has(key) && typeof value === 'number') retriesByError[key] = value
  }
  const strategy: Strategy =
    s.enable_loadbalancing === false
      ? 'ordered'
      : s.routing_strategy === 'least-busy' || s.routing_strategy === 'latency-based-routing'
        ? s.routing_strategy
        : 'simple-shuffle'
  const fallbacks = new Map<string, string[]>()
  for (const entry of s.fallbacks ?? []) {
    for (const [model, list] of Object.entries(entry))
      fallbacks.set(model, [...(fallbacks.get(model) ?? []), ...list])
  }
  const litellm = record(config.litellm_settings)
  const cacheParams = record(litellm.cache_params)
  const ttl = typeof cacheParams.ttl === 'number' && cacheParams.ttl > 0 ? cacheParams.ttl : 600
  const retryAfter = typeof s.retry_after === 'number' && s.retry_after >= 0 ? s.retry_after : 0.5
  return {
    strategy,
    numRetries: s.num_retries ?? policy.max_retries ?? 0,
    retriesByError,
    exponentialBackoff: policy.exponential_backoff ?? true,
    retryBaseMs: retryAfter * 1000,
    maxRetryAfterMs: 60_000,
    timeoutMs: (s.timeout ?? policy.timeout ?? 600) * 1000,
    allowedFails: s.allowed_fails ?? 3,
    cooldownMs: (s.cooldown_time ?? 5) * 1000,
    fallbacks,
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
