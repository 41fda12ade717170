/**
 * The Node host's way upstream: undici's pooled `request()` (keep-alive connections per origin, one `Agent`
 * owned by the router), the answer's body read off undici's Node stream one chunk per read, so the upstream
 * socket is read only as fast as the client reads. undici refuses a `101` and malformed framing (both a
 * length and chunked, bare-LF chunk sizes), and never sends a POST again: retries are dispatch's alone.
 *
 * Answers are asked for uncompressed (`accept-encoding: identity`): SSE must not wait behind a compressor,
 * and what an answer weighs is nothing next to the time a model takes to write it. An upstream that
 * compresses anyway is decoded here (gzip, deflate, br) so the size limit counts what the router reads;
 * any other coding is an error. The timeouts live in the router core, the same on every host: dispatch's
 * attempt `timeout` until the first chunk, `stream_idle_timeout` between chunks (`upstream-limits.ts`).
 * Node-only: a Cloudflare host goes upstream through the platform `fetch`.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream'
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib'
import { Agent, type Dispatcher, request } from 'undici'
import { limitedReader, type UpstreamClient, type UpstreamLimits } from '../dispatch/upstream-limits.js'
import { displayUrl } from '../providers/types.js'
import { type ChunkReader, EMPTY_BODY, type Upstream } from '../providers/upstream.js'
import { nodeHeaders } from './node-request-reader.js'

const agent = new Agent({ headersTimeout: 0, bodyTimeout: 0 })

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
}

/** Statuses whose answer has no body. */
const NULL_BODY = new Set([204, 205, 304])

/** undici's Node stream as a `ChunkReader`, one chunk per read; cancelling destroys it. */
function nodeReader(body: Readable): ChunkReader {
  const chunks = body[Symbol.asyncIterator]()
  return {
    read: () => chunks.next() as Promise<ReadableStreamReadResult<Uint8Array>>,
    async cancel(reason) {
      body.destroy(reason instanceof Error ? reason : undefined)
    },
  }
}

/** The answer's body, decoded when the upstream compressed it. */
function decodedBody(body: Readable, headers: IncomingHttpHeaders): Readable {
  const coding = headers['content-encoding']?.trim().toLowerCase()
  if (!coding || coding === 'identity') return body
  const decoder = DECODERS[coding]
  if (!decoder) {
    body.destroy()
    throw new Error(`the answer has content-encoding '${coding}', which the router cannot decode`)
  }
  delete headers['content-encoding']
  delete headers['content-length']
  return pipeline(body, decoder(), () => {})
}

/** Header names in lower case, `accept-encoding: identity` unless the caller asked otherwise. */
function requestHeaders(given: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const name in given) headers[name.toLowerCase()] = given[name] as string
  headers['accept-encoding'] ??= 'identity'
  return headers
}

/** The Node host's way upstream (see the module comment): one request through undici, read under `limits`. */
export const nodeUpstream: UpstreamClient =
  (limits: UpstreamLimits): Upstream =>
  async (url, init) => {
    let answer: Dispatcher.ResponseData
    try {
      answer = await request(url, {
        dispatcher: agent,
        method: init.method,
        headers: requestHeaders(init.headers),
        body: init.body,
        signal: init.signal,
      })
    } catch (err) {
      // As `fetch` fails: an abort as itself, anything else as a TypeError whose cause says what happened.
      if (init.signal?.aborted) throw err
      throw new TypeError('fetch failed', { cause: err })
    }
    const status = answer.statusCode
    const headers = answer.headers as IncomingHttpHeaders
    if (NULL_BODY.has(status)) {
      await answer.body.dump()
      return { status, headers: nodeHeaders(headers), body: EMPTY_BODY }
    }
    const body = nodeReader(decodedBody(answer.body, headers))
    return { status, headers: nodeHeaders(headers), body: limitedReader(body, limits, displayUrl(url)) }
  }
