/**
 * Collects what one client request cost while it is dispatched (which deployment served it, tokens, time to
 * first byte, retries) and writes one `UsageEntry` and the request metrics when it ends.
 */

import { type Deployment, type RouteMatch, type Target, targetOf } from '../config/route-table.js'
import { costUsd, type TokenCounts } from './price-table.js'
import type { RouterLogger } from './router-logger.js'
import type { RouterMetrics } from './router-metrics.js'
import type { UsageEntry, UsageSink } from './usage-sink.js'

export interface UsageRecorder {
  retries: number
  fallbackModel: string | undefined
  streamError: string | undefined
  target(match: RouteMatch, deployment: Deployment): void
  tokens(tokens: TokenCounts): void
  firstByte(): void
  /** Writes the entry; only the first call counts. */
  finish(outcome: { status: number; error?: string; cached?: boolean }): void
}

interface RecorderDeps {
  metrics: RouterMetrics
  usage: UsageSink | undefined
  logger: RouterLogger
}

interface RecorderRequest {
  endpoint: UsageEntry['endpoint']
  requestedModel: string
  stream: boolean
  sessionId: string | undefined
}

/**
 * Random per process, then a counter: unique ids without a UUID (and its formatting) per request. Drawn at
 * the first request, not at load: workerd refuses randomness in module scope.
 */
let idPrefix: string | undefined
let idCounter = 0

function nextRequestId(): string {
  idPrefix ??= Array.from(crypto.getRandomValues(new Uint8Array(10)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('')
  idCounter++
  return `req_${idPrefix}${idCounter.toString(16).padStart(12, '0')}`
}

export function usageRecorder(deps: RecorderDeps, req: RecorderRequest): UsageRecorder {
  const started = performance.now()
  const startedAt = new Date().toISOString()
  let target: Target | undefined
  let counts: TokenCounts = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0 }
  let ttftMs: number | null = null
  let finished = false
  deps.metrics.requestStarted()
  return {
    retries: 0,
    fallbackModel: undefined,
    streamError: undefined,
    target(match, deployment) {
      try {
        target = targetOf(match, deployment)
      } catch {
        target = undefined
      }
    },
    tokens(tokens) {
      counts = tokens
    },
    firstByte() {
      ttftMs ??= performance.now() - started
    },
    finish(outcome) {
      if (finished) return
      finished = true
      const durationMs = performance.now() - started
      deps.metrics.requestFinished({
        endpoint: req.endpoint,
        model: req.requestedModel,
        status: outcome.status,
        durationSeconds: durationMs / 1000,
        ttftSeconds: ttftMs === null ? null : ttftMs / 1000,
        inputTokens: counts.inputTokens + counts.cacheReadTokens,
        outputTokens: counts.outputTokens,
      })
      if (!deps.usage) return
      const cached = outcome.cached === true
      const entry: UsageEntry = {
        requestId: nextRequestId(),
        sessionId: req.sessionId,
        startedAt,
        endpoint: req.endpoint,
        model: req.requestedModel,
        provider: target?.provider,
        upstreamModel: target?.upstreamModel,
        stream: req.stream,
        status: outcome.status,
        inputTokens: cached ? 0 : counts.inputTokens,
        outputTokens: cached ? 0 : counts.outputTokens,
        cacheReadTokens: cached ? 0 : counts.cacheReadTokens,
        costUsd:
          cached || outcome.status >= 400
            ? 0
            : target
              ? costUsd(target.provider, target.upstreamModel, target.deployment.modelInfo, counts)
              : null,
        ttftMs: ttftMs === null ? null : Math.round(ttftMs * 1000) / 1000,
        durationMs: Math.round(durationMs * 1000) / 1000,
        retries: this.retries,
        fallbackModel: this.fallbackModel,
        cached,
        error: outcome.error,
      }
      try {
        const done = deps.usage.record(entry)
        if (done instanceof Promise)
          done.catch((err: unknown) => deps.logger.warn({ error: String(err) }, 'usage not recorded'))
      } catch (err) {
        deps.logger.warn({ error: String(err) }, 'usage not recorded')
      }
    },
  }
}
