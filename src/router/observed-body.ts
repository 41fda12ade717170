/**
 * Holds an answer until its first chunk is there, so a failure before the first byte reaches the client can
 * still be retried, then passes the body through unchanged and reports when it ended (done, failed or
 * cancelled by the client).
 */
import { AppError } from '../protocol/errors.js'

export interface BodyEnd {
  /** Set when the body failed or the client cancelled it. */
  error?: string
  cancelled?: boolean
}

/** Reads the first chunk; a read failure becomes a retryable `AppError` naming the upstream. */
export async function peekFirstChunk(
  body: ReadableStream<Uint8Array>,
  describe: string,
): Promise<{ reader: ReadableStreamDefaultReader<Uint8Array>; first: Uint8Array | undefined }> {
  const reader = body.getReader()
  try {
    const { done, value } = await reader.read()
    return { reader, first: done ? undefined : value }
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

/** The rest of the body behind the peeked chunk; `onEnd` is called exactly once. */
export function resumeBody(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  first: Uint8Array | undefined,
  onEnd: (end: BodyEnd) => void,
  onChunk?: (chunk: Uint8Array) => void,
  /** The last chunk to send when the upstream fails after the answer started (an SSE error event). */
  failureFrame?: (message: string) => Uint8Array,
): ReadableStream<Uint8Array> {
  let pending = first
  if (first && onChunk) onChunk(first)
  let ended = false
  const end = (e: BodyEnd) => {
    if (ended) return
    ended = true
    onEnd(e)
  }
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
            controller.close()
            end({})
          } else {
            onChunk?.(value)
            controller.enqueue(value)
          }
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err)
          if (failureFrame) {
            controller.enqueue(failureFrame(message))
            controller.close()
          } else controller.error(err)
          end({ error: message })
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
