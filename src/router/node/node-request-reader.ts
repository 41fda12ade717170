/**
 * The Node host's `RequestReader`: the request's headers, body and abort signal read off Node's
 * `IncomingMessage`/`ServerResponse`, which `@hono/node-server` hands every handler as `c.env`. Asking the
 * adapter's `Request` for its body or signal instead makes it build a web `Request` with a body stream and an
 * `AbortController` per call, which cost about a third of the router's CPU per request (`bench/README.md`).
 * Without Node's objects (`app.request()` in tests) it reads the web `Request`.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import type { Context } from 'hono'
import { type RequestReader, webRequestReader } from '../app.js'
import {
  bodyTooLarge,
  type ClientSignal,
  checkDeclaredLength,
  type HeaderReader,
  searchOf,
} from '../wire/incoming-call.js'

interface NodeBindings {
  incoming: IncomingMessage
  outgoing: ServerResponse
}

function nodeBindings(c: Context): NodeBindings | undefined {
  const env = c.env as Partial<NodeBindings> | undefined
  return env?.incoming && env.outgoing ? (env as NodeBindings) : undefined
}

/** Node's parsed headers as a `HeaderReader` (names are lower case there; repeated values joined). */
export function nodeHeaders(headers: IncomingHttpHeaders): HeaderReader {
  return {
    get(name) {
      const value = headers[name.toLowerCase()]
      if (value === undefined) return null
      return Array.isArray(value) ? value.join(', ') : value
    },
  }
}

/** The body as text, refused once it is over `maxBytes`; fails if the client goes away before its end. */
function readBody(incoming: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    let size = 0
    const stop = () => {
      incoming.off('data', onData)
      incoming.off('end', onEnd)
      incoming.off('error', onError)
      incoming.off('close', onClose)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBytes) {
        parts.push(chunk)
        return
      }
      // The rest is drained by the adapter once the 413 is written.
      stop()
      reject(bodyTooLarge(maxBytes))
    }
    const onEnd = () => {
      stop()
      resolve(Buffer.concat(parts, size).toString('utf8'))
    }
    const onError = (err: Error) => {
      stop()
      reject(err)
    }
    const onClose = () => onError(new Error('the client closed the connection before its request ended'))
    incoming.on('data', onData)
    incoming.on('end', onEnd)
    incoming.on('error', onError)
    incoming.on('close', onClose)
  })
}

/** Aborted when the connection closes before the answer was fully written. */
function closeSignal(outgoing: ServerResponse): ClientSignal {
  let reason: Error | undefined
  const listeners = new Set<() => void>()
  outgoing.once('close', () => {
    if (outgoing.writableFinished) return
    reason = new Error('the client closed the connection')
    for (const listener of listeners) listener()
    listeners.clear()
  })
  return {
    get aborted() {
      return reason !== undefined
    },
    get reason() {
      return reason
    },
    addEventListener: (_type, listener) => listeners.add(listener),
    removeEventListener: (_type, listener) => listeners.delete(listener),
  }
}

export const nodeRequestReader: RequestReader = {
  headers(c) {
    const node = nodeBindings(c)
    return node ? nodeHeaders(node.incoming.headers) : webRequestReader.headers(c)
  },
  async incoming(c, maxBytes) {
    const node = nodeBindings(c)
    if (!node) return webRequestReader.incoming(c, maxBytes)
    const { incoming, outgoing } = node
    checkDeclaredLength(incoming.headers['content-length'], maxBytes)
    const signal = closeSignal(outgoing)
    return {
      rawBody: await readBody(incoming, maxBytes),
      headers: nodeHeaders(incoming.headers),
      search: searchOf(incoming.url ?? ''),
      signal,
    }
  },
}
