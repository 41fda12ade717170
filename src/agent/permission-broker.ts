/**
 * Pending tool-permission prompts of one session. A prompt waits until any connected client answers it, or
 * until the timeout denies it with a message that says so; it survives client reconnects because it lives
 * here, not in a connection. Answering twice, or answering an unknown request, is an error that changes nothing.
 */
import type { PermissionDecision } from '../protocol/container-lines.js'
import { AppError } from '../protocol/errors.js'

export type { PermissionDecision }

export type PermissionResponder = (requestId: string, decision: PermissionDecision) => Promise<void>

interface Pending {
  respond: PermissionResponder
  timer: ReturnType<typeof setTimeout>
  tool: string
}

export interface PermissionOutcome extends PermissionDecision {
  requestId: string
  timedOut: boolean
}

export class PermissionBroker {
  private readonly pending = new Map<string, Pending>()

  constructor(
    private readonly timeoutMs: number,
    /** Told about every decision (answered or timed out), to persist and broadcast it. */
    private readonly onDecided: (outcome: PermissionOutcome) => void,
  ) {}

  open(requestId: string, tool: string, respond: PermissionResponder): void {
    const timer = setTimeout(() => {
      const ms = this.timeoutMs
      const wait =
        ms >= 60_000
          ? `${Math.round(ms / 60_000)} min`
          : ms >= 1000
            ? `${Math.round(ms / 1000)} s`
            : `${ms} ms`
      void this.decide(
        requestId,
        {
          allow: false,
          message: `Nobody answered the permission request for ${tool} within ${wait}, so it was denied.`,
        },
        true,
      ).catch(() => {})
    }, this.timeoutMs)
    // On Node a waiting prompt must not keep the process alive; Workers' timers are plain numbers.
    ;(timer as { unref?: () => void }).unref?.()
    this.pending.set(requestId, { respond, timer, tool })
  }

  has(requestId: string): boolean {
    return this.pending.has(requestId)
  }

  get size(): number {
    return this.pending.size
  }

  /** Answers a pending request; throws a 404 AppError when there is none with that id. */
  async answer(requestId: string, allow: boolean): Promise<void> {
    await this.decide(
      requestId,
      allow ? { allow } : { allow, message: 'The user denied this tool call.' },
      false,
    )
  }

  private async decide(requestId: string, decision: PermissionDecision, timedOut: boolean): Promise<void> {
    const entry = this.pending.get(requestId)
    if (entry === undefined) {
      throw new AppError(
        'not_found_error',
        `no pending permission request '${requestId.slice(0, 128)}' (already answered or expired)`,
      )
    }
    this.pending.delete(requestId)
    clearTimeout(entry.timer)
    this.onDecided({ requestId, ...decision, timedOut })
    await entry.respond(requestId, decision)
  }

  /** Forgets every pending request (the turn ended; the container has denied them itself). */
  clear(): void {
    for (const entry of this.pending.values()) clearTimeout(entry.timer)
    this.pending.clear()
  }
}
