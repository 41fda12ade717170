/**
 * The permission channel of a container: Claude Code's `canUseTool` callback becomes a `permission_request`
 * NDJSON line in the running turn's stream, and waits until `POST /permissions/:requestId` answers it (or the
 * turn is interrupted, which denies it).
 */
import { randomUUID } from 'node:crypto'
import type { PermissionResult } from '@anthropic-ai/claude-agent-sdk'
import type { PermissionDecision, PermissionRequestLine } from '../protocol/container-lines.js'

interface Pending {
  input: Record<string, unknown>
  settle: (result: PermissionResult) => void
}

export class PermissionBroker {
  private readonly pending = new Map<string, Pending>()

  get size(): number {
    return this.pending.size
  }

  /**
   * Shows the request through `emit` (false when no turn can show it: denied at once) and resolves with the
   * answer, or a denial when `signal` aborts.
   */
  ask(
    toolName: string,
    input: Record<string, unknown>,
    options: { signal: AbortSignal; toolUseID?: string; decisionReason?: string },
    emit: (line: PermissionRequestLine) => boolean,
  ): Promise<PermissionResult> {
    const requestId = randomUUID()
    return new Promise((resolve) => {
      const settle = (result: PermissionResult) => {
        if (!this.pending.delete(requestId)) return
        options.signal.removeEventListener('abort', onAbort)
        resolve(result)
      }
      const onAbort = () => settle({ behavior: 'deny', message: 'the permission request was cancelled' })
      this.pending.set(requestId, { input, settle })
      if (options.signal.aborted) return onAbort()
      options.signal.addEventListener('abort', onAbort, { once: true })
      const shown = emit({
        type: 'permission_request',
        requestId,
        toolName,
        input,
        toolUseId: options.toolUseID,
        ...(options.decisionReason !== undefined && { reason: options.decisionReason }),
      })
      if (!shown) settle({ behavior: 'deny', message: 'nobody is attached to answer the permission request' })
    })
  }

  /** Answers a pending request; false when there is none with this id. */
  respond(requestId: string, decision: PermissionDecision): boolean {
    const pending = this.pending.get(requestId)
    if (pending === undefined) return false
    pending.settle(
      decision.allow
        ? { behavior: 'allow', updatedInput: pending.input }
        : { behavior: 'deny', message: decision.message ?? 'the user denied this tool call' },
    )
    return true
  }

  /** Denies every pending request (the turn was interrupted or Claude Code went away). */
  denyAll(message: string): void {
    for (const pending of [...this.pending.values()]) pending.settle({ behavior: 'deny', message })
  }
}
