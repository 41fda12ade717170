/**
 * The router's state and endpoints, independent of the HTTP framework: the route table, dispatch settings,
 * deployment health, cache, usage sink and metrics, and one function per endpoint from an `IncomingCall` to
 * a `Response` (errors already rendered in Anthropic's shape). `createRouterApp` mounts them in Hono, the one
 * way in: the hosts serve that app (Node through its own HTTP server, Cloudflare through `fetch`).
 */
import { AppError, toAppError } from '../protocol/errors.js'
import { configWarnings } from './config/config-report.js'
import { withConfigEnvironment } from './config/env.js'
import { RouteTable } from './config/route-table.js'
import { dispatchSettings } from './config/router-settings.js'
import { DeploymentHealth } from './dispatch/deployment-health.js'
import { ModelLister } from './dispatch/list-models.js'
import { ResponseCache } from './dispatch/response-cache.js'
import { upstreamFromFetch } from './dispatch/upstream-limits.js'
import { handleChatCompletions } from './endpoints/handle-chat-completions.js'
import { handleCountTokens } from './endpoints/handle-count-tokens.js'
import { handleMessages, type MessagesDeps } from './endpoints/handle-messages.js'
import { type Authenticate, authenticator } from './router-auth.js'
import type { RouterOptions, RouterPrincipal } from './router-options.js'
import { type RouterLogger, silentLogger } from './usage/router-logger.js'
import { defaultRouterMetrics } from './usage/router-metrics.js'
import { InMemoryUsageSink, sumUsage } from './usage/usage-sink.js'
import { errorResponse } from './wire/error-response.js'
import type { IncomingCall } from './wire/incoming-call.js'
import { jsonResponse } from './wire/json-response.js'

/** The platform's `fetch`, looked up at call time and never called as a method of something else. */
const platformFetch: typeof fetch = (input, init) => globalThis.fetch(input, init)

export interface RouterCore {
  logger: RouterLogger
  authenticate: Authenticate
  messages(call: IncomingCall, principal: RouterPrincipal): Promise<Response>
  chatCompletions(call: IncomingCall, principal: RouterPrincipal): Promise<Response>
  countTokens(call: IncomingCall): Promise<Response>
  usage(principal: RouterPrincipal, query: { sessionId?: string; limit?: string }): Promise<Response>
  metrics(): Response
  /** `GET /v1/models`: the offered models, then the wildcard routes (which also take a typed model name). */
  models(): Promise<Response>
  /** Configured routes and the models they offer (`list-models.ts`), for the agent's model picker. */
  lister: ModelLister
  /** What the config asks for that the router does not do: disabled entries and unsupported keys. */
  warnings: readonly string[]
}

export function createRouterCore(options: RouterOptions): RouterCore {
  const logger = options.logger ?? silentLogger
  const settings = dispatchSettings(options.config)
  const metrics = options.metrics ?? defaultRouterMetrics
  const usage = options.usage ?? new InMemoryUsageSink()
  const secrets = withConfigEnvironment(options.config.environment_variables, options.secrets)
  const warnings = configWarnings(options.config)
  for (const warning of warnings) logger.warn({ config: 'router' }, warning)
  const deps: MessagesDeps = {
    table: new RouteTable(options.config),
    secrets,
    upstream: (options.upstream ?? upstreamFromFetch(options.fetch ?? platformFetch))(settings.upstream),
    logger,
    settings,
    health: new DeploymentHealth(settings.allowedFails, settings.cooldownMs),
    metrics,
    usage,
    later: options.later ?? ((task) => task()),
    cache: settings.cache.enabled
      ? new ResponseCache(settings.cache.ttlMs, settings.cache.maxEntries)
      : undefined,
  }

  const lister = new ModelLister({ table: deps.table, secrets, upstream: deps.upstream, logger })

  /** Runs a handler; a thrown error becomes an Anthropic-shaped answer (and a log line when it is ours). */
  const guarded = async (fn: () => Promise<Response>): Promise<Response> => {
    try {
      return await fn()
    } catch (err) {
      const appError = toAppError(err)
      if (appError.status >= 500)
        logger.error({ type: appError.type, error: appError.message }, 'router error')
      return errorResponse(appError)
    }
  }

  return {
    logger,
    warnings,
    authenticate: authenticator(options.config, secrets, options),
    messages: (call, principal) => guarded(() => handleMessages(deps, call, principal.sessionId)),
    chatCompletions: (call, principal) => handleChatCompletions(deps, call, principal.sessionId),
    countTokens: (call) => guarded(() => handleCountTokens(deps, call)),
    usage: (principal, query) =>
      guarded(async () => {
        const own = principal.sessionId
        const asked = query.sessionId || undefined
        if (own !== undefined && asked !== undefined && asked !== own) {
          throw new AppError('permission_error', "a session token can read only its own session's usage")
        }
        const sessionId = own ?? asked
        const limit = query.limit === undefined ? 100 : Number.parseInt(query.limit, 10)
        if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
          throw new AppError('invalid_request_error', 'limit must be an integer from 1 to 10000')
        const entries = await usage.query({ sessionId, limit })
        const totals = usage.totals ? await usage.totals(sessionId) : sumUsage(entries)
        return jsonResponse({ sessionId: sessionId ?? null, totals, entries })
      }),
    metrics: () =>
      new Response(metrics.render(), {
        headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
      }),
    lister,
    models: async () => {
      const listed = (await lister.models()).map((m) => ({ id: m.id, owned_by: m.provider }))
      const wildcards = lister
        .routes()
        .filter((r) => r.wildcard)
        .map((r) => ({ id: r.pattern, owned_by: r.provider }))
      const data = [...listed, ...wildcards].map((m) => ({
        id: m.id,
        object: 'model' as const,
        type: 'model' as const,
        display_name: m.id,
        owned_by: m.owned_by,
        created: 0,
        created_at: '1970-01-01T00:00:00Z',
      }))
      return jsonResponse({
        object: 'list',
        data,
        has_more: false,
        first_id: data[0]?.id ?? null,
        last_id: data.at(-1)?.id ?? null,
      })
    },
  }
}
