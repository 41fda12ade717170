/** The LiteLLM-compatible model router: Anthropic Messages API in front, providers behind. */
export { createRouterApp, routerAppFor } from './app.js'
export type { GeneralSettings, ModelEntry, RetryPolicy, RouterSettings } from './config/config-schema.js'
export { RouterConfig } from './config/config-schema.js'
export { defaultRouterConfig, loadRouterConfig, parseRouterConfig } from './config/load-config.js'
export { createRouterCore, type RouterCore } from './router-core.js'
export type {
  RouterLogger,
  RouterOptions,
  RouterPrincipal,
  SessionTokenVerifier,
} from './router-options.js'
export { defaultRouterMetrics, RouterMetrics, routerMetrics } from './usage/router-metrics.js'
export type { UsageEntry, UsageQuery, UsageSink, UsageTotals } from './usage/usage-sink.js'
export { InMemoryUsageSink, sumUsage } from './usage/usage-sink.js'
