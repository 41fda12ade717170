/**
 * Holds an answer until its first chunk is there, so a failure before the first byte reaches the client can
 * still be retried, then passes the body through unchanged and reports when it ended (done, failed or
 * cancelled by the client).
 */
import { AppError } from '../../protocol/errors.js'
import type { ChunkReader } from '../providers/upstream.js'

export interface BodyEnd {
  /** Set when the body failed or the client cancelled it. */
  error?: string
  cancelled?: boolean
}

/** Reads the first chunk; a read failure becomes a retryable `AppError` naming the upstream. */
export async function peekFirstChunk(reader: ChunkReader, describe: string): Promise<Uint8Array | undefined> {
  try {
    const { done, value } = await reader.read()
    return done ? undefined : value
  } catch (err) {
    reader.cancel().catch(() => {})
    if (err instanceof AppError) throw err
    const reason = err instanceof Error ? err.message : String(err)
    throw new AppError('api_error', `${describe} failed before the answer started: ${reason}`, {
      status: 502,
      retryable: true,
      cause: err,
    })
  }
}

export interface ResumeOptions {
  /** Called exactly once, when the body ended, failed or was cancelled. */
  onEnd(end: BodyEnd): void
  onChunk?: (chunk: Uint8Array) => void
  /** The last chunk to send when the upstream fails after the answer started (an SSE error event). */
  failureFrame?: (message: string) => Uint8Array
}

/** The rest of the body behind the peeked chunk, pulled only as fast as it is read. */
export function resumeBody(
  reader: ChunkReader,
  first: Uint8Array | undefined,
  options: ResumeOptions,
): ReadableStream<Uint8Array> {
  const { onEnd, onChunk, failureFrame } = options
  let ended = false
  const end = (e: BodyEnd) => {
    if (ended) return
    ended = true
    onEnd(e)
  }
  if (first) onChunk?.(first)
  let pending = first
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (pending) {
          controller.enqueue(pending)
          pending = undefined
          return
        }
        try {
          const { done, value } = await reader.read()
          if (done) {
            end({})
            controller.close()
            return
          }
          onChunk?.(value)
          controller.enqueue(value)
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err)
          end({ error: message })
          if (!failureFrame) throw err
          controller.enqueue(failureFrame(message))
          controller.close()
        }
      },
      cancel(reason) {
        end({ cancelled: true, error: 'the client closed the connection' })
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
}
