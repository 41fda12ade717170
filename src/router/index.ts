/** The LiteLLM-compatible model router: Anthropic Messages API in front, providers behind. */
export { createRouterApp, routerAppFor } from './app.js'
export { configWarnings, describeEntries } from './config/config-report.js'
export type {
  GeneralSettings,
  ModelEntry,
  RetryPolicy,
  RouterConfig,
  RouterSettings,
} from './config/config-schema.js'
export { type Env, withConfigEnvironment } from './config/env.js'
export { defaultRouterConfig, parseRouterConfig } from './config/parse-config.js'
export { createRouterCore, type RouterCore } from './router-core.js'
export type { RouterOptions, RouterPrincipal, SessionTokenVerifier } from './router-options.js'
export type { RouterLogger } from './usage/router-logger.js'
export { defaultRouterMetrics, RouterMetrics, routerMetrics } from './usage/router-metrics.js'
export type { UsageEntry, UsageQuery, UsageSink, UsageTotals } from './usage/usage-sink.js'
export { InMemoryUsageSink, sumUsage } from './usage/usage-sink.js'
