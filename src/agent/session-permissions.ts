/**
 * The permission prompts of one session and its "always allow" rules: a request a stored rule covers is
 * answered at once, anything else waits in the PermissionBroker for a client's answer. Every answer is
 * persisted as a `permission_response` that says who or which rule decided, so every tab sees why.
 */
import type { NewEvent, PermissionAnswer, PermissionResponseData } from '../protocol/events.js'
import { describeRule, matchingRule, type PermissionRule, sameRule } from '../protocol/permission-rules.js'
import {
  PermissionBroker,
  type PermissionOutcome,
  type PermissionResponder,
  type WaitingPrompt,
} from './permission-broker.js'

export interface SessionPermissionsDeps {
  timeoutMs: number
  rules(): PermissionRule[]
  saveRules(rules: PermissionRule[]): void
  /** Persists and broadcasts. */
  emit(event: NewEvent): void
}

export class SessionPermissions {
  private readonly broker: PermissionBroker

  constructor(private readonly deps: SessionPermissionsDeps) {
    this.broker = new PermissionBroker(deps.timeoutMs, (outcome) => this.record(outcome))
  }

  /** A request from the container: answered at once when a stored rule covers it, else shown until answered. */
  async request(
    requestId: string,
    tool: string,
    input: unknown,
    respond: PermissionResponder,
  ): Promise<void> {
    const rule = matchingRule(this.deps.rules(), tool, input)
    if (rule === undefined) {
      this.broker.open(requestId, tool, input, respond)
      return
    }
    const data: PermissionResponseData = { requestId, allow: true, rule, byRule: true }
    this.deps.emit({
      type: 'permission_response',
      content: `Allowed by the rule: always allow ${describeRule(rule)}`,
      data,
    })
    await respond(requestId, { allow: true })
  }

  /** See PermissionBroker.answer. */
  answer(requestId: string, answer: PermissionAnswer): Promise<void> {
    return this.broker.answer(requestId, answer)
  }

  get waiting(): WaitingPrompt[] {
    return this.broker.waiting
  }

  /** Forgets every pending request (the turn ended; the container has denied them itself). */
  clear(): void {
    this.broker.clear()
  }

  /** Stores the rule an answer asked for, then persists and sends the answer. */
  private record(outcome: PermissionOutcome): void {
    const { rule, reason } = outcome
    if (rule !== undefined) {
      const rules = this.deps.rules()
      if (!rules.some((r) => sameRule(r, rule))) this.deps.saveRules([...rules, rule])
    }
    const data: PermissionResponseData = {
      requestId: outcome.requestId,
      allow: outcome.allow,
      ...(outcome.timedOut && { timedOut: true }),
      ...(rule !== undefined && { rule }),
      ...(reason !== undefined && { message: reason }),
    }
    this.deps.emit({
      type: 'permission_response',
      content: outcome.timedOut
        ? (outcome.message ?? 'Permission request expired')
        : rule !== undefined
          ? `Allowed; from now on ${describeRule(rule)} is always allowed`
          : outcome.allow
            ? 'Allowed'
            : reason !== undefined
              ? `Denied: ${reason}`
              : 'Denied',
      data,
    })
  }
}
