/**
 * The limits every upstream answer is read under, whatever `fetch` the host gives the router: at most
 * `maxBytes` of body (`general_settings.max_response_size_mb`), and at most `idleMs` of silence between two
 * chunks while the router waits for the next one (`router_settings.stream_idle_timeout`). Either failure
 * cancels the upstream body and fails the read with an `AppError` naming the setting; after the answer
 * started, the stream translation turns it into an `event: error`. Time to the first chunk is the attempt
 * `timeout` of dispatch. Web-standard only, so both hosts get the same limits.
 *
 * `BodyLimits` is the bookkeeping for one body; `limitedReader` applies it to a body's reader, on every host
 * (over `fetch` in `upstreamFromFetch`, over undici in `node/node-upstream.ts`).
 */
import { AppError } from '../../protocol/errors.js'
import { displayUrl } from '../providers/types.js'
import { type ChunkReader, EMPTY_BODY, type Upstream } from '../providers/upstream.js'

export interface UpstreamLimits {
  maxBytes: number
  idleMs: number
}

/** A host's way upstream, its answers read under `limits`. */
export type UpstreamClient = (limits: UpstreamLimits) => Upstream

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

/** `body` read under `limits`: the same chunks, or an error once a limit is crossed. */
export function limitedReader(body: ChunkReader, limits: UpstreamLimits, describe: string): ChunkReader {
  // A read in progress ends with `done` once cancelled, and the read then throws the failure.
  const guard = new BodyLimits(limits, describe, (err) => void body.cancel(err).catch(() => {}))
  return {
    async read() {
      guard.waiting()
      let next: ReadableStreamReadResult<Uint8Array>
      try {
        next = await body.read()
      } catch (err) {
        guard.stop()
        throw guard.failure ?? err
      }
      if (guard.failure) throw guard.failure
      if (next.done) guard.stop()
      else guard.received(next.value.byteLength)
      return next
    },
    cancel(reason) {
      guard.stop()
      return body.cancel(reason)
    },
  }
}

/** The router's way upstream over a `fetch` (the platform's, or one a test gives). */
export function upstreamFromFetch(fetch: typeof globalThis.fetch): UpstreamClient {
  return (limits) => async (url, request) => {
    const response = await fetch(url, request)
    const reader = response.body?.getReader()
    return {
      status: response.status,
      headers: response.headers,
      body: reader ? limitedReader(reader, limits, displayUrl(url)) : EMPTY_BODY,
    }
  }
}
