/** What `createRouterApp` takes. */

import type { RouterConfig } from './config/config-schema.js'
import type { Env } from './config/env.js'
import type { UpstreamClient } from './dispatch/upstream-limits.js'
import type { RouterLogger } from './usage/router-logger.js'
import type { RouterMetrics } from './usage/router-metrics.js'
import type { UsageSink } from './usage/usage-sink.js'

/** Who made a request: usage is recorded under `sessionId` when there is one. */
export interface RouterPrincipal {
  sessionId?: string
}

/** Per-session router tokens issued by the agent layer (`SessionTokens` fits): token -> session id. */
export interface SessionTokenVerifier {
  verify(token: string | undefined): string | undefined
}

export interface RouterOptions {
  /** The parsed and validated config file (`parseRouterConfig`, or `loadRouterConfig` on Node). */
  config: RouterConfig
  /** Resolves `os.environ/NAME` and the providers' default key variables (GROQ_API_KEY…). */
  secrets: Env
  /** Upstream fetch; default `globalThis.fetch`. */
  fetch?: typeof fetch
  /** The host's own way upstream, used instead of `fetch` (the Node host's is undici: `nodeUpstream`). */
  upstream?: UpstreamClient
  /**
   * Runs the bookkeeping of a finished answer (usage, metrics) after its last bytes are handed to the host;
   * the Node host passes `setImmediate`. Default: at once.
   */
  later?: (task: () => void) => void
  /**
   * When given, decides on the token of `Authorization: Bearer X` or `x-api-key: X`: false answers 401, true
   * admits the request unattributed, a principal admits it on behalf of its session. When absent, the token
   * must be `general_settings.master_key` or a token `sessionTokens` knows (no check when neither is set).
   */
  authorize?: (
    token: string | undefined,
  ) => boolean | RouterPrincipal | undefined | Promise<boolean | RouterPrincipal | undefined>
  /** Per-session tokens, checked after the master key when no `authorize` hook is given. */
  sessionTokens?: SessionTokenVerifier
  /** Where per-request usage goes (`GET /usage` reads it back); default an in-memory sink. */
  usage?: UsageSink
  /** Prometheus registry the router writes to; default `defaultRouterMetrics`. */
  metrics?: RouterMetrics
  logger?: RouterLogger
}
