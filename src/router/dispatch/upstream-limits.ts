/**
 * The limits every upstream answer is read under, whatever `fetch` the host gives the router: at most
 * `maxBytes` of body (`general_settings.max_response_size_mb`), and at most `idleMs` of silence between two
 * chunks while the router waits for the next one (`router_settings.stream_idle_timeout`). Either failure
 * cancels the upstream body and fails the read with an `AppError` naming the setting; after the answer
 * started, the stream translation turns it into an `event: error`. Time to the first chunk is the attempt
 * `timeout` of dispatch. Web-standard only, so both hosts get the same limits.
 */
import { AppError } from '../../protocol/errors.js'

export interface UpstreamLimits {
  maxBytes: number
  idleMs: number
}

/** `https://user:key@host/v1/x?q` -> `https://host/v1/x`: names the upstream without anything secret. */
function where(url: string): string {
  try {
    const u = new URL(url)
    return `${u.origin}${u.pathname}`
  } catch {
    return 'the upstream'
  }
}

function requestUrl(input: RequestInfo | URL): string {
  if (typeof input === 'string') return input
  return input instanceof URL ? input.href : input.url
}

/** `body` read under `limits`: the same bytes, or an error once a limit is crossed. */
export function limitedBody(
  body: ReadableStream<Uint8Array>,
  limits: UpstreamLimits,
  describe: string,
): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  let size = 0
  const fail = (err: AppError): never => {
    reader.cancel(err).catch(() => {})
    throw err
  }
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let timer: ReturnType<typeof setTimeout> | undefined
        const idle = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new AppError(
                  'timeout_error',
                  `${describe} sent nothing for ${limits.idleMs / 1000} s (router_settings.stream_idle_timeout)`,
                  { status: 504, retryable: true },
                ),
              ),
            limits.idleMs,
          )
        })
        let next: ReadableStreamReadResult<Uint8Array>
        try {
          next = await Promise.race([reader.read(), idle])
        } catch (err) {
          if (err instanceof AppError) fail(err)
          throw err
        } finally {
          if (timer !== undefined) clearTimeout(timer)
        }
        if (next.done) {
          controller.close()
          return
        }
        size += next.value.byteLength
        if (size > limits.maxBytes) {
          fail(
            new AppError(
              'api_error',
              `${describe} answered with more than ${limits.maxBytes / 1024 / 1024} MiB (general_settings.max_response_size_mb)`,
              { status: 502 },
            ),
          )
        }
        controller.enqueue(next.value)
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  )
}

/** `fetch` whose answers are read under `limits`. */
export function limitedFetch(
  fetch: typeof globalThis.fetch,
  limits: UpstreamLimits,
): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await fetch(input, init)
    if (!response.body) return response
    const body = limitedBody(response.body, limits, where(requestUrl(input)))
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    })
  }
}
