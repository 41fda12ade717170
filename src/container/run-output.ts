/**
 * Hands a run's messages out as the container's `POST /` answer: an NDJSON stream (one JSON line per SDK
 * message, `error` lines included) or, with `stream: false`, one collected result. The source is either a
 * one-shot Claude Code run or a turn on the live query; both look the same from here.
 */
import { containerErrorLine } from '../protocol/container-lines.js'
import { AppError } from '../protocol/errors.js'

export interface RunOutcome {
  sessionId: string | undefined
  result: string | undefined
  error: AppError | undefined
}

export interface Run {
  requestId: string
  ndjson(): ReadableStream<Uint8Array>
  collect(): Promise<RunOutcome>
}

/** What a run reads from; `open` is called once, on the first read. */
export interface RunSource {
  open(): Promise<AsyncIterator<unknown>>
  /** The client went away: stop the work. */
  abort(): void
  /** True once `abort` was called (errors after it are not reported). */
  readonly aborted: boolean
  /** Always called once at the end (normal end, error, or abort). */
  finish(): void
  /** A thrown error as the AppError a caller sees (e.g. with the CLI's stderr tail). */
  failure(err: unknown): AppError
}

export type RunLogger = (message: string, fields: Record<string, unknown>) => void

interface Observed {
  type?: unknown
  subtype?: unknown
  session_id?: unknown
  result?: unknown
  is_error?: unknown
  errors?: unknown
  error?: { type?: unknown; message?: unknown }
  detail?: unknown
}

function resultError(message: Observed): AppError | undefined {
  if (message.subtype === 'success' && message.is_error !== true) return undefined
  const errors = Array.isArray(message.errors) ? (message.errors as unknown[]).map(String) : []
  const detail =
    message.subtype === 'success'
      ? String(message.result)
      : [message.subtype, ...errors].filter(Boolean).join(': ')
  return new AppError('api_error', `Claude Code run failed: ${detail}`, { status: 502 })
}

function lineError(line: Observed): AppError {
  const message = typeof line.error?.message === 'string' ? line.error.message : 'Claude Code run failed'
  return new AppError('api_error', message, { status: 502 })
}

/** A run over `source`; nothing executes until `ndjson()` is read or `collect()` is called. */
export function createRun(requestId: string, source: RunSource, logError: RunLogger): Run {
  let sessionId: string | undefined
  let result: string | undefined
  let failed: AppError | undefined
  let finished = false
  const finish = () => {
    if (finished) return
    finished = true
    source.finish()
  }
  const observe = (value: unknown) => {
    const message = value as Observed
    if (typeof message.session_id === 'string' && message.type === 'system' && message.subtype === 'init')
      sessionId = message.session_id
    if (message.type === 'result') {
      if (typeof message.session_id === 'string') sessionId ??= message.session_id
      if (message.subtype === 'success' && typeof message.result === 'string') result = message.result
      failed = resultError(message)
    }
    if (message.type === 'error') failed = lineError(message)
    if (message.type === 'transcript_lost')
      failed = new AppError(
        'invalid_request_error',
        `the Claude Code session to resume lost its transcript (${String(message.detail)}); send the turn without resumeSessionId to start a new one`,
        { status: 409 },
      )
  }

  return {
    requestId,
    ndjson() {
      const encoder = new TextEncoder()
      let lines: AsyncIterator<unknown> | undefined
      const end = (controller: ReadableStreamDefaultController<Uint8Array>) => {
        if (finished) return
        finish()
        controller.close()
      }
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (finished) return
          try {
            lines ??= await source.open()
            const next = await lines.next()
            if (next.done) return end(controller)
            observe(next.value)
            controller.enqueue(encoder.encode(`${JSON.stringify(next.value)}\n`))
          } catch (err) {
            if (!source.aborted) {
              const error = source.failure(err)
              logError('Claude Code run failed', { requestId, error: error.message })
              controller.enqueue(encoder.encode(`${JSON.stringify(containerErrorLine(error))}\n`))
            }
            end(controller)
          }
        },
        cancel() {
          source.abort()
          finish()
        },
      })
    },
    async collect() {
      try {
        const lines = await source.open()
        for (let next = await lines.next(); next.done !== true; next = await lines.next()) observe(next.value)
      } catch (err) {
        // After an error result the SDK throws too; the result says more precisely what went wrong.
        const error = source.aborted
          ? new AppError('api_error', 'the run was aborted', { status: 499 })
          : (failed ?? source.failure(err))
        if (!source.aborted) logError('Claude Code run failed', { requestId, error: error.message })
        return { sessionId, result, error }
      } finally {
        finish()
      }
      const error =
        failed ??
        (result === undefined ? new AppError('api_error', 'Claude Code ended without a result') : undefined)
      return { sessionId, result, error }
    },
  }
}
