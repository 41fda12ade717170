/**
 * Sends one client request to a model with LiteLLM's reliability semantics: pick a deployment
 * (`routing_strategy`), give each attempt `timeout` (`stream_timeout` when streaming) until its answer starts,
 * retry retryable failures with backoff (honouring `Retry-After`) only while nothing has reached the client,
 * cool down deployments that keep failing, then move to the model's `fallbacks` (or `default_fallbacks`); a
 * prompt over the model's context window moves to its `context_window_fallbacks` instead. A model no route
 * matches goes to `default_model` when one is set. Records usage, metrics and (non-streaming) the cache.
 * A provider answers a record (`ProviderAnswer`); the `Response` the client gets is built here, once.
 */
import { AppError, toAppError } from '../../protocol/errors.js'
import type { Deployment, RouteMatch, RouteTable } from '../config/route-table.js'
import type { DispatchSettings } from '../config/router-settings.js'
import type { CallObserver, ProviderAnswer } from '../providers/types.js'
import type { TokenCounts } from '../usage/price-table.js'
import type { RouterLogger } from '../usage/router-logger.js'
import type { RouterMetrics } from '../usage/router-metrics.js'
import { type UsageRecorder, usageRecorder } from '../usage/usage-recorder.js'
import type { UsageEntry, UsageSink } from '../usage/usage-sink.js'
import { SseUsageReader } from '../usage/usage-tap.js'
import type { ClientSignal } from '../wire/incoming-call.js'
import type { DeploymentHealth } from './deployment-health.js'
import { peekFirstChunk, resumeBody } from './observed-body.js'
import { pickDeployment } from './pick-deployment.js'
import { ResponseCache } from './response-cache.js'
import { retryDelay } from './retry-delay.js'

export interface DispatchDeps {
  table: RouteTable
  settings: DispatchSettings
  health: DeploymentHealth
  metrics: RouterMetrics
  logger: RouterLogger
  usage: UsageSink | undefined
  cache: ResponseCache | undefined
  /**
   * Runs the bookkeeping of an answer that ended (usage entry, metrics, tokens charged to the deployment).
   * A host that can run it once the answer's last bytes are on their way does so (Node: `setImmediate`), so
   * the client does not wait for it; the default runs it at once.
   */
  later(task: () => void): void
}

export interface DispatchRequest {
  endpoint: UsageEntry['endpoint']
  requestedModel: string
  stream: boolean
  sessionId: string | undefined
  /** The client's signal: when it aborts, nothing is retried. */
  signal: ClientSignal | undefined
  /** The client's body, for the cache key. */
  rawBody: string
  /** The prompt's size in tokens, for `enable_pre_call_checks`. */
  inputTokens?: () => Promise<number>
  /** Sends one attempt to one deployment; throws `AppError`s (with `retryable`) for failures before the answer. */
  send(
    match: RouteMatch,
    deployment: Deployment,
    signal: AbortSignal,
    observer: CallObserver,
  ): Promise<ProviderAnswer>
}

/** What an attempt answers: a whole body, or the stream the client reads. */
interface Answer {
  status: number
  headers: Record<string, string>
  body: string | ReadableStream<Uint8Array>
}

/** LiteLLM's `retry_policy` key for an error. */
function policyKey(e: AppError): string {
  if (e.status === 429) return 'RateLimitErrorRetries'
  if (e.type === 'timeout_error' || e.status === 408) return 'TimeoutErrorRetries'
  if (e.status === 401) return 'AuthenticationErrorRetries'
  if (e.status === 400 || e.status === 422) return 'BadRequestErrorRetries'
  return 'InternalServerErrorRetries'
}

function retryBudget(settings: DispatchSettings, e: AppError): number {
  const own = settings.retriesByError[policyKey(e)]
  if (own !== undefined) return own
  return e.retryable ? settings.numRetries : 0
}

/** A bad request stays bad on another model; everything else may work elsewhere. */
function canFallBack(e: AppError): boolean {
  return e.type !== 'invalid_request_error' && e.type !== 'request_too_large'
}

/** How providers word "the prompt is longer than this model's context window" (LiteLLM matches the same). */
const CONTEXT_WINDOW =
  /context[ _-]?(length|window)|maximum context|prompt is too long|too many (input )?tokens|input (is )?too long|reduce the length|exceeds? the (model'?s? )?(maximum|max)/i

export function isContextWindowError(e: AppError): boolean {
  return (e.status === 400 || e.status === 413 || e.status === 422) && CONTEXT_WINDOW.test(e.message)
}

function sleep(ms: number, signal: ClientSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

function noRouteError(deps: DispatchDeps, model: string): AppError {
  return new AppError(
    'no_route',
    `no route for model '${model}'; configured patterns: ${deps.table.patterns().join(', ')}`,
  )
}

export async function dispatch(deps: DispatchDeps, req: DispatchRequest): Promise<Response> {
  const rec = usageRecorder(deps, req)
  const cacheKey = deps.cache && !req.stream ? await ResponseCache.key(req.endpoint, req.rawBody) : undefined
  if (cacheKey !== undefined) {
    const hit = deps.cache?.get(cacheKey)
    if (hit) {
      deps.metrics.cacheHits.add({ model: req.requestedModel })
      rec.finish({ status: 200, cached: true })
      return new Response(hit.body, { status: 200, headers: { ...hit.headers, 'x-router-cache': 'hit' } })
    }
  }
  const { settings } = deps
  const defaultModel = settings.defaultModel
  const first =
    deps.table.resolve(req.requestedModel) ??
    (defaultModel === undefined ? undefined : deps.table.resolve(defaultModel))
  if (!first) {
    const err = noRouteError(deps, req.requestedModel)
    rec.finish({ status: err.status, error: err.message })
    throw err
  }
  const listFor = (lists: ReadonlyMap<string, readonly string[]>, model: string, pattern: string) =>
    lists.get(model) ?? lists.get(pattern)
  let chain = [
    req.requestedModel,
    ...(listFor(settings.fallbacks, req.requestedModel, first.route.pattern) ?? settings.defaultFallbacks),
  ]
  let lastError: AppError | undefined
  let match: RouteMatch | undefined = first
  for (let n = 0; n < chain.length; n++) {
    const model = chain[n] as string
    if (n > 0) match = deps.table.resolve(model)
    if (!match) {
      lastError ??= noRouteError(deps, model)
      continue
    }
    if (n > 0) {
      deps.metrics.fallbacks.add({ model: req.requestedModel, fallback: model })
      deps.logger.warn(
        { model: req.requestedModel, fallback: model, error: lastError?.message },
        'falling back',
      )
      rec.fallbackModel = model
    }
    const outcome = await tryModel(deps, req, match, rec)
    if (!(outcome instanceof AppError)) {
      if (cacheKey !== undefined && outcome.status === 200 && typeof outcome.body === 'string')
        deps.cache?.set(cacheKey, outcome.body, outcome.headers)
      return new Response(outcome.body, { status: outcome.status, headers: outcome.headers })
    }
    lastError = outcome
    if (req.signal?.aborted) break
    if (isContextWindowError(outcome)) {
      const bigger = listFor(settings.contextWindowFallbacks, model, match.route.pattern)
      if (bigger === undefined) break
      // The rest of the chain is for other failures; a longer prompt needs a bigger window.
      chain = [...chain.slice(0, n + 1), ...bigger]
      continue
    }
    if (!canFallBack(outcome)) break
  }
  const err = lastError ?? noRouteError(deps, req.requestedModel)
  rec.finish({ status: err.status, error: err.message })
  throw err
}

/**
 * The route's deployments whose context window holds the prompt (`enable_pre_call_checks`, LiteLLM's: only
 * deployments with `model_info.max_input_tokens` are measured), or a context-window error when none does, so
 * `context_window_fallbacks` take over.
 */
async function fitting(
  deps: DispatchDeps,
  req: DispatchRequest,
  match: RouteMatch,
): Promise<readonly Deployment[] | AppError> {
  const all = match.route.deployments
  const limit = (d: Deployment) => d.modelInfo?.max_input_tokens
  if (!deps.settings.preCallChecks || !req.inputTokens || all.every((d) => limit(d) === undefined)) return all
  const tokens = await req.inputTokens()
  const fit = all.filter((d) => (limit(d) ?? Number.POSITIVE_INFINITY) >= tokens)
  if (fit.length > 0) return fit
  const largest = Math.max(...all.map((d) => limit(d) ?? 0))
  return new AppError(
    'invalid_request_error',
    `the prompt is about ${tokens} tokens, over the context window of every deployment of '${match.route.pattern}' (at most ${largest} input tokens)`,
  )
}

/** Every attempt on one model; the answer, or the error that ended the attempts. */
async function tryModel(
  deps: DispatchDeps,
  req: DispatchRequest,
  match: RouteMatch,
  rec: UsageRecorder,
): Promise<Answer | AppError> {
  const { settings, health } = deps
  const tried = new Set<string>()
  const deployments = await fitting(deps, req, match)
  if (deployments instanceof AppError) return deployments
  const canCool = deployments.length > 1
  for (let attempt = 0; ; attempt++) {
    const deployment = pickDeployment(deployments, settings.strategy, health, tried)
    if (!deployment) {
      const ids = deployments.map((d) => d.id)
      if (!ids.every((id) => health.isCooling(id))) {
        return new AppError(
          'rate_limit_error',
          `every deployment of '${match.route.pattern}' is at its rpm/tpm limit for this minute; retry in a minute`,
          { status: 429, headers: { 'retry-after': '60' } },
        )
      }
      const wait = Math.ceil(health.soonestRelease(ids) / 1000)
      return new AppError(
        'rate_limit_error',
        `every deployment of '${match.route.pattern}' is cooling down after repeated failures; retry in ${wait} s`,
        { status: 429, headers: { 'retry-after': String(wait) } },
      )
    }
    tried.add(deployment.id)
    try {
      return await attemptOnce(deps, req, match, deployment, rec)
    } catch (err) {
      const e = toAppError(err)
      if (req.signal?.aborted) return e
      if (e.retryable || e.status === 401 || e.status === 403) {
        if (health.failed(deployment.id, canCool, cooldownMsOf(deployment, settings))) {
          deps.metrics.cooldowns.add({ deployment: deployment.id, model: deployment.modelName })
          deps.logger.warn({ deployment: deployment.id, error: e.message }, 'deployment cooling down')
        }
      }
      if (attempt >= retryBudget(settings, e)) return e
      const delay = retryDelay(attempt, e.headers['retry-after'], {
        baseMs: settings.retryBaseMs,
        exponential: settings.exponentialBackoff,
        maxRetryAfterMs: settings.maxRetryAfterMs,
      })
      if (delay === undefined) return e
      deps.metrics.retries.add({ model: req.requestedModel })
      deps.logger.warn(
        { model: req.requestedModel, attempt: attempt + 1, delayMs: delay, error: e.message },
        'retrying',
      )
      rec.retries++
      await sleep(delay, req.signal)
      if (req.signal?.aborted) return e
    }
  }
}

async function attemptOnce(
  deps: DispatchDeps,
  req: DispatchRequest,
  match: RouteMatch,
  deployment: Deployment,
  rec: UsageRecorder,
): Promise<Answer> {
  const controller = new AbortController()
  const onClientAbort = () => controller.abort(req.signal?.reason)
  req.signal?.addEventListener('abort', onClientAbort, { once: true })
  const own = req.stream
    ? (deployment.params.stream_timeout ?? deployment.params.timeout)
    : deployment.params.timeout
  const timeoutMs =
    own === undefined ? (req.stream ? deps.settings.streamTimeoutMs : deps.settings.timeoutMs) : own * 1000
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort(new Error('attempt timed out'))
  }, timeoutMs)
  const started = performance.now()
  const release = () => {
    clearTimeout(timer)
    req.signal?.removeEventListener('abort', onClientAbort)
    deps.health.ended(deployment.id)
  }
  deps.health.started(deployment.id)
  rec.target(match, deployment)
  let sseUsage: SseUsageReader | undefined
  let used: TokenCounts | undefined
  const countTokens = (tokens: TokenCounts) => {
    used = tokens
    rec.tokens(tokens)
  }
  const chargeTokens = () => {
    if (used)
      deps.health.usedTokens(deployment.id, used.inputTokens + used.cacheReadTokens + used.outputTokens)
  }
  const observer: CallObserver = {
    usage: countTokens,
    streamError: (message: string) => {
      rec.streamError = message
    },
    readSseUsage: (format) => {
      sseUsage = new SseUsageReader(format)
    },
  }
  try {
    const response = await req.send(match, deployment, controller.signal, observer)
    const describe = `${deployment.modelName} (${deployment.id})`
    const reader = response.body
    if (typeof reader === 'string') {
      // A whole answer is read to its end already, so a failure while reading it was thrown.
      clearTimeout(timer)
      deps.health.succeeded(deployment.id, performance.now() - started)
      rec.firstByte()
      release()
      deps.later(() => {
        chargeTokens()
        rec.finish({ status: response.status })
      })
      return { status: response.status, headers: response.headers, body: reader }
    }
    const first = await peekFirstChunk(reader, describe)
    clearTimeout(timer)
    deps.health.succeeded(deployment.id, performance.now() - started)
    rec.firstByte()
    const usageReader = sseUsage
    const body = resumeBody(reader, first, {
      onEnd: (end) => {
        release()
        deps.later(() => {
          if (usageReader) countTokens(usageReader.result())
          chargeTokens()
          rec.finish({ status: response.status, error: end.error ?? rec.streamError })
        })
      },
      onChunk: usageReader && ((chunk) => usageReader.push(chunk)),
      failureFrame: (message) => failureFrame(req.endpoint, `${describe} failed mid-stream: ${message}`),
    })
    return { status: response.status, headers: response.headers, body }
  } catch (err) {
    release()
    if (timedOut) {
      throw new AppError(
        'timeout_error',
        `${deployment.modelName} (${deployment.id}) did not answer within ${timeoutMs / 1000} s`,
        { status: 504, retryable: true, cause: err },
      )
    }
    throw err
  }
}

const encoder = new TextEncoder()

/**
 * What a client gets when a stream breaks after it started: an Anthropic `event: error`, or an OpenAI error
 * chunk on the chat-completions endpoint. The leading blank line ends an event the upstream left half-sent.
 */
function failureFrame(endpoint: DispatchRequest['endpoint'], message: string): Uint8Array {
  const error = { type: 'api_error', message }
  return encoder.encode(
    endpoint === 'chat_completions'
      ? `\n\ndata: ${JSON.stringify({ error })}\n\n`
      : `\n\nevent: error\ndata: ${JSON.stringify({ type: 'error', error })}\n\n`,
  )
}

/** The entry's own `cooldown_time`, else the router's. */
function cooldownMsOf(deployment: Deployment, settings: DispatchSettings): number {
  const own = deployment.params.cooldown_time
  return own === undefined ? settings.cooldownMs : own * 1000
}
