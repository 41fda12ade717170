/**
 * The router's Prometheus metrics, in a small hand-written registry (counters, a gauge and histograms with
 * labels, rendered in the text exposition format). `createRouterApp` writes to `options.metrics`, or to the
 * process-wide `defaultRouterMetrics`; the server's `/metrics` appends `render()` to its own output.
 */

import { Counter, Histogram } from './metrics-registry.js'

export class RouterMetrics {
  readonly requests = new Counter(
    'router_requests_total',
    'Requests answered, by endpoint, model and status.',
  )
  readonly retries = new Counter('router_retries_total', 'Attempts repeated after a retryable failure.')
  readonly fallbacks = new Counter('router_fallbacks_total', 'Requests moved to a fallback model.')
  readonly cooldowns = new Counter('router_cooldowns_total', 'Deployments put into cooldown.')
  readonly cacheHits = new Counter('router_cache_hits_total', 'Non-streaming answers served from the cache.')
  readonly tokens = new Counter(
    'router_tokens_total',
    'Tokens reported by providers, by model and direction.',
  )
  readonly inFlight = new Counter('router_requests_in_flight', 'Requests being answered.', 'gauge')
  readonly duration = new Histogram('router_request_duration_seconds', 'Time from request to the last byte.')
  readonly ttft = new Histogram('router_time_to_first_byte_seconds', 'Time from request to the first byte.')

  /** Prometheus text format. */
  render(): string {
    return [
      this.requests,
      this.retries,
      this.fallbacks,
      this.cooldowns,
      this.cacheHits,
      this.tokens,
      this.inFlight,
      this.duration,
      this.ttft,
    ]
      .map((m) => m.render())
      .join('')
  }
}

/** The registry used when `createRouterApp` is given none. */
export const defaultRouterMetrics = new RouterMetrics()

/** The default registry in Prometheus text format, for a server's `/metrics`. */
export function routerMetrics(): string {
  return defaultRouterMetrics.render()
}
