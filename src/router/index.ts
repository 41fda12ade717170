/** The LiteLLM-compatible model router: Anthropic Messages API in front, providers behind. */
export { createRouterApp } from './app.js'
export type { GeneralSettings, ModelEntry, RetryPolicy, RouterSettings } from './config-schema.js'
export { RouterConfig } from './config-schema.js'
export { defaultRouterConfig, loadRouterConfig, parseRouterConfig } from './load-config.js'
export type { RouterLogger, RouterOptions } from './router-options.js'
