/**
 * The router's Prometheus metrics, in a small hand-written registry (counters, a gauge and histograms with
 * labels, rendered in the text exposition format). `createRouterApp` writes to `options.metrics`, or to the
 * process-wide `defaultRouterMetrics`; the server's `/metrics` appends `render()` to its own output.
 */

import { Counter, Histogram, labelKey } from './metrics-registry.js'

/** The label keys of one endpoint and model's series, built at its first request. */
interface ModelSeries {
  endpointModel: string
  byStatus: Map<number, string>
  input: string
  output: string
}

/** What `requestFinished` records of one request. */
export interface FinishedRequest {
  endpoint: string
  model: string
  status: number
  durationSeconds: number
  ttftSeconds: number | null
  inputTokens: number
  outputTokens: number
}

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

  /** Keyed by endpoint, then model: as many as the series themselves. */
  private readonly series = new Map<string, Map<string, ModelSeries>>()

  requestStarted(): void {
    this.inFlight.addAt('', 1)
  }

  /**
   * The metrics of one finished request. Building and escaping the label keys cost more than the counting,
   * so each endpoint and model's keys are built once.
   */
  requestFinished(r: FinishedRequest): void {
    const keys = this.keysOf(r.endpoint, r.model)
    let requestsKey = keys.byStatus.get(r.status)
    if (requestsKey === undefined) {
      requestsKey = labelKey({ endpoint: r.endpoint, model: r.model, status: String(r.status) })
      keys.byStatus.set(r.status, requestsKey)
    }
    this.inFlight.addAt('', -1)
    this.requests.addAt(requestsKey)
    this.duration.observeAt(keys.endpointModel, r.durationSeconds)
    if (r.ttftSeconds !== null) this.ttft.observeAt(keys.endpointModel, r.ttftSeconds)
    if (r.inputTokens > 0) this.tokens.addAt(keys.input, r.inputTokens)
    if (r.outputTokens > 0) this.tokens.addAt(keys.output, r.outputTokens)
  }

  private keysOf(endpoint: string, model: string): ModelSeries {
    let byModel = this.series.get(endpoint)
    if (!byModel) {
      byModel = new Map()
      this.series.set(endpoint, byModel)
    }
    let keys = byModel.get(model)
    if (!keys) {
      keys = {
        endpointModel: labelKey({ endpoint, model }),
        byStatus: new Map(),
        input: labelKey({ model, direction: 'input' }),
        output: labelKey({ model, direction: 'output' }),
      }
      byModel.set(model, keys)
    }
    return keys
  }

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
