/**
 * The container's session runner: keeps one live Claude Code query per awake container and runs each
 * `POST /` with a `sessionId` as one turn on it. One turn at a time (a second request gets a 409); a turn
 * whose model or permission mode differs switches the live query, other changes restart it with resume; a
 * dead query is replaced (resuming the Claude Code session) on the next turn. A session whose transcript was
 * lost is not resumed: the turn answers with a `transcript_lost` line instead (see transcript-check.ts).
 *
 * `boot` starts the live query before any turn (for the first turn's options, CONTAINER_PREWARM), so Claude
 * Code is up and waiting when the turn comes. A warm pool member boots for no session: the first turn's
 * session takes its query when the rest of its options are the ones it was booted with.
 */
import { mkdirSync } from 'node:fs'
import type { ContainerConfig } from '../config/config.js'
import type { ClaudeCodeOptions } from '../protocol/claude-code-options.js'
import type { TranscriptLostLine } from '../protocol/container-lines.js'
import { AppError } from '../protocol/errors.js'
import { AsyncChannel } from './async-channel.js'
import { type LiveOptions, LiveQuery, type LiveTurn, restartKey } from './live-query.js'
import { PermissionBroker } from './permission-broker.js'
import { checkTranscript } from './transcript-check.js'

/** A claimed turn slot: `start` runs the turn, `release` frees the slot (once). */
export interface TurnSlot {
  start(): Promise<LiveTurn>
  release(): void
}

/** A turn that did not run: its only line is the loss. */
function lostTurn(loss: TranscriptLostLine): LiveTurn {
  const lines = new AsyncChannel<unknown>()
  lines.push(loss)
  lines.close()
  return { lines, interrupt: () => {}, settled: Promise.resolve() }
}

export class WarmSession {
  readonly permissions = new PermissionBroker()
  private live: LiveQuery | undefined
  private busy = false
  /** The previous turn's end inside Claude Code (an interrupted turn drains after its request ended). */
  private settled: Promise<void> = Promise.resolve()

  constructor(
    private readonly config: ContainerConfig,
    private readonly activeRuns: Set<AbortController>,
  ) {}

  /** The pid-independent facts `GET /debug` reports. */
  describe(): {
    live: boolean
    busy: boolean
    model: string | undefined
    claudeSessionId: string | undefined
  } {
    const live = this.live !== undefined && !this.live.dead
    return { live, busy: this.busy, model: this.live?.model, claudeSessionId: this.live?.sessionId }
  }

  /** Takes the container's single turn slot, or throws a 409 when a turn is running. */
  claim(options: ClaudeCodeOptions): TurnSlot {
    if (this.busy) {
      throw new AppError(
        'invalid_request_error',
        'a turn is already running in this container; wait for it to end or interrupt it first',
        { status: 409 },
      )
    }
    this.busy = true
    let released = false
    return {
      start: async () => {
        await this.settled
        const live = await this.prepare(options)
        if (!(live instanceof LiveQuery)) return lostTurn(live)
        const turn = live.send(options.prompt)
        this.settled = turn.settled
        return turn
      },
      release: () => {
        if (released) return
        released = true
        this.busy = false
      },
    }
  }

  /** Starts the live query for `options` now, ahead of the turn that will use it (see the module doc). */
  boot(options: LiveOptions): void {
    if (this.busy || this.live !== undefined) return
    void this.prepare(options).catch(() => {
      // The turn that comes starts one itself, and says what went wrong.
    })
  }

  /**
   * Resolves once the live query `boot` started has booted (at once when there is none); rejects when it
   * died before answering (or did not answer within `timeoutMs`).
   */
  async ready(timeoutMs: number): Promise<void> {
    const live = this.live
    if (live === undefined) return
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new AppError('api_error', `Claude Code did not boot within ${timeoutMs} ms`, { status: 503 }),
          ),
        timeoutMs,
      )
    })
    try {
      await Promise.race([live.booted(), late])
    } catch (err) {
      throw err instanceof AppError
        ? err
        : new AppError('api_error', `Claude Code stopped while booting: ${String(err)}`, { status: 503 })
    } finally {
      clearTimeout(timer)
    }
  }

  /** Stops the live query (the container is closing). */
  close(): void {
    this.live?.close()
    this.live = undefined
  }

  /**
   * The live query for `options`: reused, switched (model, permission mode), or (re)started with resume; or
   * the loss, when the session to resume has lost its transcript (it is then forgotten here).
   */
  private async prepare(options: LiveOptions): Promise<LiveQuery | TranscriptLostLine> {
    const model = options.model ?? this.config.defaultModel
    const mode = options.permissionMode ?? 'acceptEdits'
    let live = this.live
    let resume = options.resumeSessionId
    if (live !== undefined) {
      // A query booted ahead that ran nothing has no conversation to carry over.
      if (live.hasRun) resume ??= live.sessionId
      const otherSession = options.resumeSessionId !== undefined && live.sessionId !== options.resumeSessionId
      const fits = live.key === restartKey(options) || live.adopt(options)
      if (live.dead || !fits || otherSession) {
        live.close()
        live = undefined
      }
    }
    if (live !== undefined) {
      const loss = live.transcriptLoss()
      if (loss !== undefined) return this.forget(loss)
      try {
        if (live.model !== model) await live.setModel(model)
        if (live.permissionMode !== mode) await live.setPermissionMode(mode)
        return live
      } catch {
        live.close()
      }
    }
    const configDir = this.config.claudeConfigDir
    if (resume !== undefined && configDir !== undefined) {
      const loss = checkTranscript(configDir, resume)
      if (loss !== undefined) return this.forget(loss)
    }
    mkdirSync(this.config.workspaceDir, { recursive: true })
    this.live = new LiveQuery(this.config, options, {
      cwd: this.config.workspaceDir,
      model,
      resume,
      permissions: this.permissions,
      activeRuns: this.activeRuns,
    })
    return this.live
  }

  /** Drops the live query of a session that lost its transcript, so the next turn starts a new one. */
  private forget(loss: TranscriptLostLine): TranscriptLostLine {
    this.live?.close()
    this.live = undefined
    return loss
  }
}
