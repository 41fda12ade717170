/**
 * One long-lived Claude Code process in the SDK's streaming-input mode: each turn pushes a user message into
 * the running query and reads its messages up to the turn's `result`, so a follow-up turn costs tens of
 * milliseconds instead of a process start. An interrupted turn is drained (its `result` still arrives,
 * after `query.interrupt()`) before the next turn may start, so no leftovers reach the next turn's stream.
 */
import {
  type Options,
  type PermissionMode,
  type Query,
  query,
  type SDKMessage,
  type SDKUserMessage,
  type SpawnedProcess,
} from '@anthropic-ai/claude-agent-sdk'
import type { ContainerConfig } from '../config/config.js'
import type { ClaudeCodeOptions } from '../protocol/claude-code-options.js'
import { containerErrorLine, type TranscriptLostLine } from '../protocol/container-lines.js'
import { AppError } from '../protocol/errors.js'
import { AsyncChannel } from './async-channel.js'
import type { PermissionBroker } from './permission-broker.js'
import { spawnLikeSdk, takePrewarmed } from './prewarm.js'
import { asksThePerson, buildQueryOptions } from './run-claude-code.js'
import { checkLiveTranscript, noConversationLoss, transcriptBytes } from './transcript-check.js'

/** How long an interrupted turn may take to deliver its `result` before the process is closed instead. */
const DRAIN_TIMEOUT_MS = 15_000
const STDERR_TAIL_CHARS = 2000

export interface LiveQueryPlan {
  cwd: string
  model: string
  /** Claude Code session to resume (after a restart, a sleep, or a new container). */
  resume: string | undefined
  permissions: PermissionBroker
  /** The process's abort controller is registered here while it lives (a closing server aborts it). */
  activeRuns: Set<AbortController>
}

/** One turn on a live query: its lines end after the turn's `result` (or an `error` line). */
export interface LiveTurn {
  lines: AsyncChannel<unknown>
  /** Stops the turn (`query.interrupt()`); its remaining messages are drained and dropped. */
  interrupt(): void
  /** Resolves once the turn is over inside Claude Code (result received, or the process gone). */
  settled: Promise<void>
}

interface TurnState {
  lines: AsyncChannel<unknown>
  interrupted: boolean
  drainTimer: NodeJS.Timeout | undefined
  settle: () => void
}

/** A turn's options, what a live query is started for (a prompt among them is not read). */
export type LiveOptions = Omit<ClaudeCodeOptions, 'prompt'> & { prompt?: string }

/** The options that cannot change on a running query; a turn that differs here restarts it (with resume). */
export function restartKey(options: LiveOptions): string {
  const mode = options.permissionMode ?? 'acceptEdits'
  return JSON.stringify([
    options.sessionId,
    options.systemPrompt,
    options.appendSystemPrompt,
    options.allowedTools,
    options.maxTurns,
    // canUseTool is wired for every mode but bypass, which also needs a start flag.
    mode === 'bypassPermissions',
  ])
}

export class LiveQuery {
  key: string
  model: string
  permissionMode: PermissionMode
  /** Claude Code's session id (the resumed one until `system/init` says otherwise). */
  sessionId: string | undefined
  dead = false
  private readonly prompts = new AsyncChannel<SDKUserMessage>()
  private readonly abortController = new AbortController()
  private readonly query: Query
  private current: TurnState | undefined
  private stderrTail = ''
  private readonly configDir: string | undefined
  /** The transcript's size when the last turn ended (undefined before the first turn, or when unknown). */
  private transcriptBytesAtTurnEnd: number | undefined
  /** Started for no session (a warm pool member's): the first turn's session takes it. */
  private unbound: boolean
  private turnsSent = 0

  constructor(
    config: ContainerConfig,
    options: LiveOptions,
    private readonly plan: LiveQueryPlan,
  ) {
    this.key = restartKey(options)
    this.unbound = options.sessionId === undefined
    this.model = plan.model
    this.permissionMode = options.permissionMode ?? 'acceptEdits'
    this.sessionId = plan.resume
    this.configDir = config.claudeConfigDir
    const sdkOptions: Options = {
      ...buildQueryOptions(config, options, {
        cwd: plan.cwd,
        model: plan.model,
        abortController: this.abortController,
        onStderr: (text) => {
          this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARS)
        },
      }),
      includePartialMessages: true,
    }
    delete sdkOptions.resume
    delete sdkOptions.continue
    if (plan.resume !== undefined) sdkOptions.resume = plan.resume
    else if (options.continueSession === true) sdkOptions.continue = true
    if (asksThePerson(this.permissionMode)) {
      sdkOptions.canUseTool = (toolName, input, { signal, toolUseID, decisionReason }) =>
        plan.permissions.ask(toolName, input, { signal, toolUseID, decisionReason }, (line) => {
          const turn = this.current
          return turn !== undefined && !turn.interrupted && turn.lines.push(line)
        })
    }
    const prewarmed = takePrewarmed()
    if (prewarmed !== undefined) {
      const onStderr = sdkOptions.stderr
      sdkOptions.spawnClaudeCodeProcess = (request) => {
        if (prewarmed.matches(request)) return prewarmed.adopt(request.signal, onStderr) as SpawnedProcess
        prewarmed.discard()
        return spawnLikeSdk(request, onStderr) as SpawnedProcess
      }
    }
    this.abortController.signal.addEventListener('abort', () => this.prompts.close(), { once: true })
    plan.activeRuns.add(this.abortController)
    this.query = query({ prompt: this.prompts, options: sdkOptions })
    void this.pump()
  }

  /**
   * Binds a query started for no session (a warm pool member's, see warm-session.ts) to `options`' session,
   * when nothing has run on it yet and it was started with `options` but the session. False otherwise.
   */
  adopt(options: LiveOptions): boolean {
    if (!this.unbound || this.turnsSent > 0 || this.dead) return false
    if (this.key !== restartKey({ ...options, sessionId: undefined })) return false
    this.key = restartKey(options)
    this.unbound = false
    return true
  }

  /** True once a turn was sent on it. */
  get hasRun(): boolean {
    return this.turnsSent > 0
  }

  /** Resolves once Claude Code has answered the SDK's initialize request (booted, waiting for a message). */
  async booted(): Promise<void> {
    await this.query.initializationResult()
  }

  /** True while a turn runs or an interrupted one is still draining. */
  get inTurn(): boolean {
    return this.current !== undefined
  }

  /** Starts a turn; the caller makes sure the previous one has settled. */
  send(prompt: string): LiveTurn {
    if (this.dead) throw new AppError('api_error', 'Claude Code is not running any more', { status: 502 })
    if (this.current !== undefined)
      throw new AppError('api_error', 'a turn is still running', { status: 409 })
    const lines = new AsyncChannel<unknown>()
    let settle = () => {}
    const settled = new Promise<void>((resolve) => {
      settle = resolve
    })
    const turn: TurnState = { lines, interrupted: false, drainTimer: undefined, settle }
    this.current = turn
    this.turnsSent++
    this.prompts.push({
      type: 'user',
      message: { role: 'user', content: prompt },
      parent_tool_use_id: null,
    })
    return { lines, settled, interrupt: () => this.interruptTurn(turn) }
  }

  /** The loss when the transcript was removed or cut since the last turn ended (see transcript-check.ts). */
  transcriptLoss(): TranscriptLostLine | undefined {
    const { configDir, sessionId, transcriptBytesAtTurnEnd: bytes } = this
    if (configDir === undefined || sessionId === undefined || bytes === undefined) return undefined
    return checkLiveTranscript(configDir, sessionId, bytes)
  }

  setModel(model: string): Promise<void> {
    return this.query.setModel(model).then(() => {
      this.model = model
    })
  }

  async setPermissionMode(mode: PermissionMode): Promise<void> {
    const answer = await this.query.setPermissionMode(mode)
    this.permissionMode = answer?.mode ?? mode
  }

  /** Ends the process (what is in its transcript stays, so a later query can resume it). */
  close(): void {
    if (!this.abortController.signal.aborted) this.abortController.abort(new Error('live query closed'))
    try {
      this.query.close()
    } catch {
      // already closed
    }
  }

  private interruptTurn(turn: TurnState): void {
    if (this.current !== turn || turn.interrupted) return
    turn.interrupted = true
    turn.lines.close()
    this.plan.permissions.denyAll('the turn was interrupted')
    turn.drainTimer = setTimeout(() => {
      if (this.current === turn) this.close()
    }, DRAIN_TIMEOUT_MS)
    this.query.interrupt().catch(() => this.close())
  }

  private endTurn(turn: TurnState): void {
    if (turn.drainTimer !== undefined) clearTimeout(turn.drainTimer)
    if (this.configDir !== undefined && this.sessionId !== undefined)
      this.transcriptBytesAtTurnEnd = transcriptBytes(this.configDir, this.sessionId)
    turn.lines.close()
    if (this.current === turn) this.current = undefined
    turn.settle()
  }

  /**
   * Claude Code found no conversation to resume: the turn ends with the loss instead of that error, and
   * this query is done (its session is gone, so nothing may resume it through this object any more).
   */
  private reportLoss(loss: TranscriptLostLine): void {
    this.sessionId = undefined
    this.dead = true
    const turn = this.current
    if (turn !== undefined) {
      if (!turn.interrupted) turn.lines.push(loss)
      this.endTurn(turn)
    }
    this.close()
  }

  private observe(message: SDKMessage): void {
    const loss = this.plan.resume === undefined ? undefined : noConversationLoss(message, this.plan.resume)
    if (loss !== undefined) {
      this.reportLoss(loss)
      return
    }
    if (message.type === 'system' && message.subtype === 'init') this.sessionId = message.session_id
    if (message.type === 'result' && message.session_id !== undefined) this.sessionId = message.session_id
    const turn = this.current
    if (turn === undefined) return
    if (!turn.interrupted) turn.lines.push(message)
    if (message.type === 'result') this.endTurn(turn)
  }

  private async pump(): Promise<void> {
    let failure: unknown
    try {
      for await (const message of this.query) this.observe(message)
    } catch (err) {
      failure = err
    }
    this.dead = true
    this.plan.activeRuns.delete(this.abortController)
    this.plan.permissions.denyAll('Claude Code stopped')
    const turn = this.current
    if (turn === undefined) return
    if (!turn.interrupted && !this.abortController.signal.aborted) {
      const detail = failure instanceof Error ? failure.message : 'it ended its session'
      const tail = this.stderrTail.trim()
      const message = `Claude Code stopped unexpectedly (${detail})${tail === '' || detail.includes(tail) ? '' : `; stderr: ${tail}`}`
      turn.lines.push(containerErrorLine(new AppError('api_error', message, { status: 502 })))
    }
    this.endTurn(turn)
  }
}
