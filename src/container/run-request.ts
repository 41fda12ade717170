/**
 * One `POST /` request: picks the workspace (the session workspace, or the seed's temp sandbox when no
 * session is named), runs Claude Code, and hands the messages out either as an NDJSON stream or collected
 * into one result. Client disconnects abort the run; failures become an `error` line or an AppError.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk'
import type { ContainerConfig } from '../config/config.js'
import type { ClaudeCodeOptions } from '../protocol/claude-code-options.js'
import { AppError, toAppError } from '../protocol/errors.js'
import { runClaudeCode } from './run-claude-code.js'
import {
  ensureSessionFolder,
  findSessionFolder,
  generateSandboxId,
  renameSessionFolder,
} from './session-folders.js'

export interface RunContext {
  activeRuns: Set<AbortController>
  /** The request's signal: aborted when the client goes away. */
  signal: AbortSignal
  logError: (message: string, fields: Record<string, unknown>) => void
}

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

const STDERR_TAIL_CHARS = 2000

function generateRequestId(): string {
  return `req_${Date.now()}_${randomBytes(5).toString('hex')}`
}

interface Workspace {
  cwd: string
  /** Set when the run uses a temp sandbox that is renamed to Claude Code's session id afterwards. */
  tempId: string | undefined
}

function resolveWorkspace(config: ContainerConfig, options: ClaudeCodeOptions): Workspace {
  const sessionsDir = config.sessionsDir
  if (options.sessionId === undefined && sessionsDir !== undefined) {
    if (options.resumeSessionId !== undefined) {
      const earlier = findSessionFolder(sessionsDir, options.resumeSessionId)
      if (earlier !== undefined) return { cwd: earlier.workspacePath, tempId: undefined }
    }
    const tempId = generateSandboxId()
    return { cwd: ensureSessionFolder(sessionsDir, tempId).workspacePath, tempId }
  }
  mkdirSync(config.workspaceDir, { recursive: true })
  return { cwd: config.workspaceDir, tempId: undefined }
}

/** What the SDK's failure means for a caller; the CLI's stderr tail is added when there is one. */
function failure(err: unknown, stderrTail: string): AppError {
  const appError = toAppError(err)
  const tail = stderrTail.trim()
  if (tail === '' || appError.message.includes(tail)) return appError
  return new AppError(appError.type, `${appError.message} (Claude Code stderr: ${tail})`, {
    status: appError.status,
    cause: err,
  })
}

function resultError(message: SDKMessage & { type: 'result' }): AppError | undefined {
  if (message.subtype === 'success' && !message.is_error) return undefined
  const detail =
    message.subtype === 'success'
      ? message.result
      : [message.subtype, ...message.errors].filter(Boolean).join(': ')
  return new AppError('api_error', `Claude Code run failed: ${detail}`, { status: 502 })
}

/** Starts a run; nothing executes until `ndjson()` is read or `collect()` is called. */
export function startRun(config: ContainerConfig, options: ClaudeCodeOptions, context: RunContext): Run {
  const requestId = generateRequestId()
  const model = options.model ?? config.defaultModel
  const abortController = new AbortController()
  let stderrTail = ''
  let sessionId: string | undefined
  let result: string | undefined
  let resultFailure: AppError | undefined
  let workspace: Workspace | undefined

  const onClientGone = () => abortController.abort(new Error('client disconnected'))
  const begin = (): AsyncGenerator<SDKMessage, void> => {
    if (context.signal.aborted) abortController.abort(new Error('client disconnected'))
    context.signal.addEventListener('abort', onClientGone, { once: true })
    context.activeRuns.add(abortController)
    workspace = resolveWorkspace(config, options)
    return runClaudeCode(config, options, {
      cwd: workspace.cwd,
      model,
      abortController,
      onStderr: (text) => {
        stderrTail = (stderrTail + text).slice(-STDERR_TAIL_CHARS)
      },
    })
  }
  const observe = (message: SDKMessage) => {
    if (message.type === 'system' && message.subtype === 'init') sessionId = message.session_id
    if (message.type === 'result') {
      sessionId ??= message.session_id
      if (message.subtype === 'success') result = message.result
      resultFailure = resultError(message)
    }
  }
  const finish = () => {
    context.signal.removeEventListener('abort', onClientGone)
    context.activeRuns.delete(abortController)
    if (workspace?.tempId !== undefined && sessionId !== undefined && config.sessionsDir !== undefined) {
      renameSessionFolder(config.sessionsDir, workspace.tempId, sessionId)
    }
  }

  return {
    requestId,
    ndjson() {
      const encoder = new TextEncoder()
      let messages: AsyncGenerator<SDKMessage, void> | undefined
      let finished = false
      const end = (controller: ReadableStreamDefaultController<Uint8Array>) => {
        if (finished) return
        finished = true
        finish()
        controller.close()
      }
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (finished) return
          try {
            messages ??= begin()
            const next = await messages.next()
            if (next.done) return end(controller)
            observe(next.value)
            controller.enqueue(encoder.encode(`${JSON.stringify(next.value)}\n`))
          } catch (err) {
            if (!abortController.signal.aborted) {
              const error = failure(err, stderrTail)
              context.logError('Claude Code run failed', { requestId, error: error.message })
              controller.enqueue(encoder.encode(`${JSON.stringify({ type: 'error', ...error.toJSON() })}\n`))
            }
            end(controller)
          }
        },
        cancel() {
          abortController.abort(new Error('client disconnected'))
          if (!finished) {
            finished = true
            finish()
          }
        },
      })
    },
    async collect() {
      try {
        for await (const message of begin()) observe(message)
      } catch (err) {
        // After an error result the SDK throws too; the result says more precisely what went wrong.
        const error = abortController.signal.aborted
          ? new AppError('api_error', 'the run was aborted', { status: 499 })
          : (resultFailure ?? failure(err, stderrTail))
        if (!abortController.signal.aborted)
          context.logError('Claude Code run failed', { requestId, error: error.message })
        return { sessionId, result, error }
      } finally {
        finish()
      }
      const error =
        resultFailure ??
        (result === undefined ? new AppError('api_error', 'Claude Code ended without a result') : undefined)
      return { sessionId, result, error }
    },
  }
}
