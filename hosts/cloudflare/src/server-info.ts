/** `GET /agent/info` on Cloudflare: the default model, the sandbox (a Cloudflare Container) and the providers. */
import { configuredProviders, PROVIDER_NAMES } from '../../../src/router/config/provider-names.js'
import type { ServerInfo } from '../../../src/server/routes/agent-routes.js'
import { hostConfig, routerSecrets } from './host-config.js'

export function serverInfo(env: Env): ServerInfo {
  const config = hostConfig(env)
  const configured = new Set<string>(configuredProviders(routerSecrets(env)))
  const providers = PROVIDER_NAMES.map((name) => ({ name, configured: configured.has(name) }))
  const warnings =
    configured.size === 0 && env.ROUTER_CONFIG === ''
      ? [
          'No model provider is configured: `wrangler secret put GROQ_API_KEY` (or another provider key), then deploy.',
        ]
      : []
  return {
    defaultModel: config.defaultModel,
    sandbox: { driver: 'cloudflare', isolated: true },
    providers,
    warnings,
  }
}
