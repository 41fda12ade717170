/**
 * A `fetch` for Node hosts over undici's pooled `request()` (keep-alive connections per origin, one `Agent`
 * owned by the router), answering a real `Response` whose body is a pull-based web stream: the upstream
 * socket is read only as fast as the client reads. undici refuses a `101` and malformed framing (both a
 * length and chunked, bare-LF chunk sizes), and never sends a POST again: retries are dispatch's alone.
 *
 * Answers are asked for uncompressed (`accept-encoding: identity`): SSE must not wait behind a compressor,
 * and what an answer weighs is nothing next to the time a model takes to write it. An upstream that
 * compresses anyway is decoded here (gzip, deflate, br) so the size limit counts what the router reads;
 * any other coding is an error. The timeouts live in the router core, the same on every host: dispatch's
 * attempt `timeout` until the first chunk, `stream_idle_timeout` between chunks (`upstream-limits.ts`).
 * Node-only: a Cloudflare host keeps the platform `fetch`.
 */
import type { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream'
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib'
import { Agent, type Dispatcher, request } from 'undici'
import {
  BodyLimits,
  type LimitAwareFetch,
  type UpstreamLimits,
  upstreamName,
} from '../dispatch/upstream-limits.js'

const agent = new Agent({ headersTimeout: 0, bodyTimeout: 0 })

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
}

/** Statuses whose `Response` cannot have a body. */
const NULL_BODY = new Set([204, 205, 304])

function headerRecord(headers: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (!headers) return out
  const entries = headers instanceof Headers || Array.isArray(headers) ? headers : Object.entries(headers)
  for (const [k, v] of entries) out[k.toLowerCase()] = v
  return out
}

function requestBody(body: BodyInit | null | undefined): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined
  if (typeof body === 'string' || body instanceof Uint8Array) return body
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  throw new TypeError('nodeHttpFetch sends string or byte bodies only')
}

function responseHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue
    if (Array.isArray(value)) for (const v of value) headers.append(name, v)
    else headers.append(name, value)
  }
  return headers
}

/**
 * A web stream over a Node stream, pulling one chunk per read, under `guard` when given; cancelling destroys
 * the Node stream.
 */
function webStream(body: Readable, guard: BodyLimits | undefined): ReadableStream<Uint8Array> {
  const chunks = body[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        guard?.waiting()
        let next: IteratorResult<Uint8Array>
        try {
          next = await chunks.next()
        } catch (err) {
          guard?.stop()
          throw guard?.failure ?? err
        }
        if (next.done) {
          guard?.stop()
          controller.close()
          return
        }
        guard?.received(next.value.byteLength)
        controller.enqueue(next.value)
      },
      cancel(reason) {
        guard?.stop()
        body.destroy(reason instanceof Error ? reason : undefined)
      },
    },
    { highWaterMark: 0 },
  )
}

/** The answer's body, decoded when the upstream compressed it. */
function decodedBody(body: Readable, headers: Headers): Readable {
  const coding = headers.get('content-encoding')?.trim().toLowerCase()
  if (!coding || coding === 'identity') return body
  const decoder = DECODERS[coding]
  if (!decoder) {
    body.destroy()
    throw new Error(`the answer has content-encoding '${coding}', which the router cannot decode`)
  }
  headers.delete('content-encoding')
  headers.delete('content-length')
  return pipeline(body, decoder(), () => {})
}

/** `fetch` over undici's pooled `request()` (see the module comment), its answers read under `limits`. */
const nodeFetch =
  (limits?: UpstreamLimits): typeof fetch =>
  async (input, init) => {
    const given = input instanceof Request ? input : undefined
    const url = given ? given.url : String(input)
    const headers = headerRecord(init?.headers ?? given?.headers)
    headers['accept-encoding'] ??= 'identity'
    const body =
      init?.body !== undefined
        ? requestBody(init.body)
        : given?.body
          ? new Uint8Array(await given.arrayBuffer())
          : undefined
    const signal = init?.signal ?? given?.signal ?? undefined
    let answer: Dispatcher.ResponseData
    try {
      answer = await request(url, {
        dispatcher: agent,
        method: (init?.method ?? given?.method ?? 'GET') as Dispatcher.HttpMethod,
        headers,
        body,
        signal,
      })
    } catch (err) {
      // As `fetch` fails: an abort as itself, anything else as a TypeError whose cause says what happened.
      if (signal?.aborted) throw err
      throw new TypeError('fetch failed', { cause: err })
    }
    const status = answer.statusCode
    const outHeaders = responseHeaders(answer.headers)
    if (NULL_BODY.has(status)) {
      await answer.body.dump()
      return new Response(null, { status, headers: outHeaders })
    }
    const decoded = decodedBody(answer.body, outHeaders)
    const guard = limits && new BodyLimits(limits, upstreamName(input), (err) => decoded.destroy(err))
    return new Response(webStream(decoded, guard), { status, headers: outHeaders })
  }

/**
 * `fetch` over undici's pooled `request()`. The router core reads its answers under the upstream limits by
 * asking for `underLimits(limits)`, which counts them in the same pull loop that turns the Node stream into
 * a web stream, instead of wrapping every answer in one more stream.
 */
export const nodeHttpFetch: LimitAwareFetch = Object.assign(nodeFetch(), {
  underLimits: (limits: UpstreamLimits) => nodeFetch(limits),
})
