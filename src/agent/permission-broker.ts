/**
 * Pending tool-permission prompts of one session. A prompt waits until any connected client answers it, or
 * until the timeout denies it with a message that says so; it survives client reconnects because it lives
 * here, not in a connection. Answering twice, or answering an unknown request, is an error that changes nothing.
 */
import type { PermissionDecision } from '../protocol/container-lines.js'
import { AppError } from '../protocol/errors.js'
import type { PermissionAnswer } from '../protocol/events.js'
import { bashCommand, type PermissionRule, ruleFor } from '../protocol/permission-rules.js'

export type { PermissionDecision }

export type PermissionResponder = (requestId: string, decision: PermissionDecision) => Promise<void>

interface Pending {
  respond: PermissionResponder
  timer: ReturnType<typeof setTimeout>
  tool: string
  input: unknown
}

export interface PermissionOutcome extends PermissionDecision {
  requestId: string
  timedOut: boolean
  /** The "always allow" rule this answer asked to store. */
  rule?: PermissionRule
  /** The reason the person gave with a denial, as they wrote it. */
  reason?: string
}

/** A prompt waiting for an answer. */
export interface WaitingPrompt {
  requestId: string
  tool: string
}

export class PermissionBroker {
  private readonly pending = new Map<string, Pending>()

  constructor(
    private readonly timeoutMs: number,
    /** Told about every decision (answered or timed out), to persist and broadcast it. */
    private readonly onDecided: (outcome: PermissionOutcome) => void,
  ) {}

  open(requestId: string, tool: string, input: unknown, respond: PermissionResponder): void {
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
    this.pending.set(requestId, { respond, timer, tool, input })
  }

  has(requestId: string): boolean {
    return this.pending.has(requestId)
  }

  get size(): number {
    return this.pending.size
  }

  /** The prompts waiting now, oldest first. */
  get waiting(): WaitingPrompt[] {
    return [...this.pending.entries()].map(([requestId, { tool }]) => ({ requestId, tool }))
  }

  /**
   * Answers a pending request: a denial's reason goes to the agent, and `remember` with an allow stores the
   * rule it names. Throws a 404 AppError when there is no such request, and a 400 when `remember` names a rule
   * that cannot be made for it (a prefix for a chained Bash command, or for another tool).
   */
  async answer(requestId: string, answer: PermissionAnswer): Promise<void> {
    const entry = this.entry(requestId)
    let rule: PermissionRule | undefined
    if (answer.allow && answer.remember !== undefined) {
      rule = ruleFor(entry.tool, entry.input, answer.remember)
      if (rule === undefined) {
        const command = bashCommand(entry.input)
        throw new AppError(
          'invalid_request_error',
          command === undefined
            ? `'remember: prefix' is for Bash commands; ${entry.tool} can only be remembered as 'tool'`
            : `no prefix rule can cover the command '${command.slice(0, 200)}' (it chains, pipes, redirects or substitutes); allow it once, or remember 'tool' to allow every Bash command`,
        )
      }
    }
    const reason = answer.allow ? undefined : answer.message || undefined
    await this.decide(
      requestId,
      answer.allow
        ? { allow: true }
        : {
            allow: false,
            message:
              reason === undefined
                ? 'The user denied this tool call.'
                : `The user denied this tool call: ${reason}`,
          },
      false,
      { ...(rule !== undefined && { rule }), ...(reason !== undefined && { reason }) },
    )
  }

  private entry(requestId: string): Pending {
    const entry = this.pending.get(requestId)
    if (entry === undefined) {
      throw new AppError(
        'not_found_error',
        `no pending permission request '${requestId.slice(0, 128)}' (already answered or expired)`,
      )
    }
    return entry
  }

  private async decide(
    requestId: string,
    decision: PermissionDecision,
    timedOut: boolean,
    extra: { rule?: PermissionRule; reason?: string } = {},
  ): Promise<void> {
    const entry = this.entry(requestId)
    this.pending.delete(requestId)
    clearTimeout(entry.timer)
    this.onDecided({ requestId, ...decision, timedOut, ...extra })
    await entry.respond(requestId, decision)
  }

  /** Forgets every pending request (the turn ended; the container has denied them itself). */
  clear(): void {
    for (const entry of this.pending.values()) clearTimeout(entry.timer)
    this.pending.clear()
  }
}
