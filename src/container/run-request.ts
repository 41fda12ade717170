/**
 * One `POST /` request. With a `sessionId` it is one turn on the container's live Claude Code query (see
 * warm-session.ts); without one it is the seed's one-shot run in a temp sandbox, renamed to Claude Code's
 * session id afterwards. Client disconnects interrupt (warm) or abort (one-shot) the work.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk'
import type { ContainerConfig } from '../config/config.js'
import type { ClaudeCodeOptions } from '../protocol/claude-code-options.js'
import { AppError, toAppError } from '../protocol/errors.js'
import type { LiveTurn } from './live-query.js'
import { runClaudeCode } from './run-claude-code.js'
import { createRun, type Run, type RunSource } from './run-output.js'
import {
  ensureSessionFolder,
  findSessionFolder,
  generateSandboxId,
  renameSessionFolder,
} from './session-folders.js'
import type { WarmSession } from './warm-session.js'

export type { Run, RunOutcome } from './run-output.js'

export interface RunContext {
  activeRuns: Set<AbortController>
  /** The container's live session (turns with a `sessionId` run on it). */
  warm: WarmSession
  /** The request's signal: aborted when the client goes away. */
  signal: AbortSignal
  logError: (message: string, fields: Record<string, unknown>) => void
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

/** Watches the request's signal; `stop` runs once when the client goes away. */
function onClientGone(signal: AbortSignal, stop: () => void): () => void {
  if (signal.aborted) {
    stop()
    return () => {}
  }
  signal.addEventListener('abort', stop, { once: true })
  return () => signal.removeEventListener('abort', stop)
}

/** A one-shot Claude Code process for this request (the seed's behaviour). */
function oneShotSource(config: ContainerConfig, options: ClaudeCodeOptions, context: RunContext): RunSource {
  const abortController = new AbortController()
  let stderrTail = ''
  let sessionId: string | undefined
  let workspace: Workspace | undefined
  let unwatch = () => {}
  const abort = () => abortController.abort(new Error('client disconnected'))
  return {
    get aborted() {
      return abortController.signal.aborted
    },
    abort,
    async open() {
      unwatch = onClientGone(context.signal, abort)
      context.activeRuns.add(abortController)
      workspace = resolveWorkspace(config, options)
      const messages = runClaudeCode(config, options, {
        cwd: workspace.cwd,
        model: options.model ?? config.defaultModel,
        abortController,
        onStderr: (text) => {
          stderrTail = (stderrTail + text).slice(-STDERR_TAIL_CHARS)
        },
      })
      return {
        next: async () => {
          const next: IteratorResult<SDKMessage, void> = await messages.next()
          if (!next.done && (next.value.type === 'system' || next.value.type === 'result'))
            sessionId ??= next.value.session_id
          return next
        },
      }
    },
    finish() {
      unwatch()
      context.activeRuns.delete(abortController)
      if (workspace?.tempId !== undefined && sessionId !== undefined && config.sessionsDir !== undefined) {
        renameSessionFolder(config.sessionsDir, workspace.tempId, sessionId)
      }
    },
    failure: (err) => failure(err, stderrTail),
  }
}

/** A turn on the container's live query; claims the turn slot now (409 when taken). */
function warmSource(options: ClaudeCodeOptions, context: RunContext): RunSource {
  const slot = context.warm.claim(options)
  let turn: LiveTurn | undefined
  let aborted = false
  let unwatch = () => {}
  const abort = () => {
    if (aborted) return
    aborted = true
    turn?.interrupt()
    slot.release()
  }
  return {
    get aborted() {
      return aborted
    },
    abort,
    async open() {
      unwatch = onClientGone(context.signal, abort)
      const started = await slot.start()
      turn = started
      if (aborted) started.interrupt()
      return started.lines[Symbol.asyncIterator]()
    },
    finish() {
      unwatch()
      slot.release()
    },
    failure: (err) => toAppError(err),
  }
}

/** Starts a run; nothing executes until `ndjson()` is read or `collect()` is called. */
export function startRun(config: ContainerConfig, options: ClaudeCodeOptions, context: RunContext): Run {
  const source =
    options.sessionId === undefined ? oneShotSource(config, options, context) : warmSource(options, context)
  return createRun(generateRequestId(), source, context.logError)
}
