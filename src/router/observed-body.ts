/**
 * Holds an answer until its first chunk is there, so a failure before the first byte reaches the client can
 * still be retried, then passes the body through unchanged and reports when it ended (done, failed or
 * cancelled by the client).
 */
import { AppError } from '../protocol/errors.js'
import type { ChunkSource } from './chunk-source.js'

export interface BodyEnd {
  /** Set when the body failed or the client cancelled it. */
  error?: string
  cancelled?: boolean
}

/** Reads the first chunk; a read failure becomes a retryable `AppError` naming the upstream. */
export async function peekFirstChunk(source: ChunkSource, describe: string): Promise<Uint8Array | undefined> {
  try {
    return await source.read()
  } catch (err) {
    source.cancel().catch(() => {})
    if (err instanceof AppError) throw err
    const reason = err instanceof Error ? err.message : String(err)
    throw new AppError('api_error', `${describe} failed before the answer started: ${reason}`, {
      status: 502,
      retryable: true,
      cause: err,
    })
  }
}

/** The rest of the body behind the peeked chunk; `onEnd` is called exactly once. */
export function resumeBody(
  source: ChunkSource,
  first: Uint8Array | undefined,
  onEnd: (end: BodyEnd) => void,
  onChunk?: (chunk: Uint8Array) => void,
  /** The last chunk to send when the upstream fails after the answer started (an SSE error event). */
  failureFrame?: (message: string) => Uint8Array,
): ChunkSource {
  let pending = first
  if (first && onChunk) onChunk(first)
  let ended = false
  let closed = false
  const end = (e: BodyEnd) => {
    if (ended) return
    ended = true
    onEnd(e)
  }
  return {
    async read() {
      if (pending) {
        const chunk = pending
        pending = undefined
        return chunk
      }
      if (closed) return undefined
      try {
        const value = await source.read()
        if (value === undefined) {
          closed = true
          end({})
        } else onChunk?.(value)
        return value
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err)
        closed = true
        end({ error: message })
        if (failureFrame) return failureFrame(message)
        throw err
      }
    },
    cancel(reason) {
      end({ cancelled: true, error: 'the client closed the connection' })
      return source.cancel(reason)
    },
  }
}
