/**
 * The limits every upstream answer is read under, whatever `fetch` the host gives the router: at most
 * `maxBytes` of body (`general_settings.max_response_size_mb`), and at most `idleMs` of silence between two
 * chunks while the router waits for the next one (`router_settings.stream_idle_timeout`). Either failure
 * cancels the upstream body and fails the read with an `AppError` naming the setting; after the answer
 * started, the stream translation turns it into an `event: error`. Time to the first chunk is the attempt
 * `timeout` of dispatch. Web-standard only, so both hosts get the same limits.
 *
 * `BodyLimits` is the bookkeeping for one body. `limitedFetch` applies it by wrapping each answer's body in a
 * stream of its own; a host `fetch` that already reads the body in a loop of its own can apply it there
 * instead (`LimitAwareFetch`) and spare the router that extra stream on every answer.
 */
import { AppError } from '../../protocol/errors.js'

export interface UpstreamLimits {
  maxBytes: number
  idleMs: number
}

/** A host `fetch` that can read its answers under `limits` itself (the Node host's does). */
export interface LimitAwareFetch {
  (input: RequestInfo | URL, init?: RequestInit): Promise<Response>
  underLimits(limits: UpstreamLimits): typeof fetch
}

/** `https://user:key@host/v1/x?q` -> `https://host/v1/x`: names the upstream without anything secret. */
export function upstreamName(input: RequestInfo | URL): string {
  try {
    const u = new URL(typeof input === 'string' || input instanceof URL ? input : input.url)
    return `${u.origin}${u.pathname}`
  } catch {
    return 'the upstream'
  }
}

/**
 * The limits for one body read in a loop: call `waiting()` before each read of the upstream and `received()`
 * after it, `stop()` when the body ended. The idle time counts only while a read waits on the upstream (a
 * client that reads slowly is not a silent upstream), with one timer per body that is re-armed for the time
 * left when it fires, not one per chunk. On a failure `cancel` is called once, to end the read in progress;
 * the loop then throws `failure`.
 */
export class BodyLimits {
  failure: AppError | undefined
  private size = 0
  /** When the read in progress started; undefined while none is. */
  private waitingSince: number | undefined
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly limits: UpstreamLimits,
    private readonly describe: string,
    private readonly cancel: (err: AppError) => void,
  ) {}

  waiting(): void {
    this.waitingSince = Date.now()
    this.timer ??= setTimeout(this.check, this.limits.idleMs)
  }

  /** Counts a chunk of `bytes`; throws once the body is over `maxBytes`. */
  received(bytes: number): void {
    this.waitingSince = undefined
    this.size += bytes
    if (this.size > this.limits.maxBytes) {
      const { describe, limits } = this
      throw this.fail(
        new AppError(
          'api_error',
          `${describe} answered with more than ${limits.maxBytes / 1024 / 1024} MiB (general_settings.max_response_size_mb)`,
          { status: 502 },
        ),
      )
    }
  }

  stop(): void {
    this.waitingSince = undefined
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }

  private fail(err: AppError): AppError {
    if (this.failure) return this.failure
    this.failure = err
    this.stop()
    this.cancel(err)
    return err
  }

  private readonly check = () => {
    this.timer = undefined
    if (this.waitingSince === undefined) return
    const quiet = Date.now() - this.waitingSince
    if (quiet < this.limits.idleMs) {
      this.timer = setTimeout(this.check, this.limits.idleMs - quiet)
      return
    }
    this.fail(
      new AppError(
        'timeout_error',
        `${this.describe} sent nothing for ${this.limits.idleMs / 1000} s (router_settings.stream_idle_timeout)`,
        { status: 504, retryable: true },
      ),
    )
  }
}

/** `body` read under `limits`: the same bytes, or an error once a limit is crossed. */
export function limitedBody(
  body: ReadableStream<Uint8Array>,
  limits: UpstreamLimits,
  describe: string,
): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  // A read in progress ends with `done` once cancelled, and the pull then throws the failure.
  const guard = new BodyLimits(limits, describe, (err) => void reader.cancel(err).catch(() => {}))
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        guard.waiting()
        let next: ReadableStreamReadResult<Uint8Array>
        try {
          next = await reader.read()
        } catch (err) {
          guard.stop()
          throw guard.failure ?? err
        }
        if (guard.failure) throw guard.failure
        if (next.done) {
          guard.stop()
          controller.close()
          return
        }
        guard.received(next.value.byteLength)
        controller.enqueue(next.value)
      },
      cancel: (reason) => {
        guard.stop()
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

function isLimitAware(fetch: typeof globalThis.fetch): fetch is LimitAwareFetch {
  return typeof (fetch as Partial<LimitAwareFetch>).underLimits === 'function'
}

/** `fetch` whose answers are read under `limits`: by the host `fetch` itself when it can, else wrapped. */
export function limitedFetch(
  fetch: typeof globalThis.fetch,
  limits: UpstreamLimits,
): typeof globalThis.fetch {
  if (isLimitAware(fetch)) return fetch.underLimits(limits)
  return async (input, init) => {
    const response = await fetch(input, init)
    if (!response.body) return response
    return new Response(limitedBody(response.body, limits, upstreamName(input)), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    })
  }
}
