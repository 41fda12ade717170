/**
 * How the router calls an upstream, whatever the host: a request goes out, and the answer comes back as its
 * status, its headers and a body read once, chunk by chunk, under the router's limits
 * (`dispatch/upstream-limits.ts`). The Node host answers through undici's pooled `request()`
 * (`node/node-upstream.ts`), every other host through `fetch` (`upstreamFromFetch`).
 *
 * Plain records rather than `Request` and `Response`: the router only reads an upstream's answer, and on Node
 * every `Response` it built there cost a web stream and, once its body was asked for, a second `Response`
 * (bench/README.md, "Answers as records"). The one `Response` of a request is built by dispatch (by the
 * endpoint itself where nothing is dispatched: `count_tokens`).
 */
import type { HeaderReader } from '../wire/incoming-call.js'

export interface UpstreamRequest {
  method: 'GET' | 'POST'
  headers: Record<string, string>
  body?: string
  signal?: AbortSignal | undefined
}

/**
 * A body read chunk by chunk, in order, one read at a time: `read()` until `done`; a read that fails has
 * failed the body. `cancel()` drops the rest and ends a read in progress. A web stream's reader is one.
 */
export interface ChunkReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>
  cancel(reason?: unknown): Promise<void>
}

export interface UpstreamAnswer {
  status: number
  headers: HeaderReader
  body: ChunkReader
}

/** Sends one request to `url`; rejects only when no answer came (refused, reset, aborted). */
export type Upstream = (url: string, request: UpstreamRequest) => Promise<UpstreamAnswer>

/** A body that is already over. */
export const EMPTY_BODY: ChunkReader = {
  read: () => Promise.resolve({ done: true, value: undefined }),
  cancel: () => Promise.resolve(),
}

/** Reads `body` to its end as UTF-8 text. */
export async function readText(body: ChunkReader): Promise<string> {
  const decoder = new TextDecoder()
  let text = ''
  for (let next = await body.read(); !next.done; next = await body.read())
    text += decoder.decode(next.value, { stream: true })
  return text + decoder.decode()
}
