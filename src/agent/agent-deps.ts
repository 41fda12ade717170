/** What the agent layer (every session's actor) is given by its host: store, containers, settings, hooks. */

import type { z } from 'zod'
import type { PermissionModeOption } from '../protocol/claude-code-options.js'
import type { SessionStore } from '../store/session-store.js'
import type { ContainerProvider } from './container-provider.js'
import type { TitleFor } from './session-title.js'
import type { TurnUsage } from './turn-outcome.js'
import type { WorkspaceInspector } from './workspace-diff.js'

export interface AgentLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export interface AgentDeps {
  store: SessionStore
  containers: ContainerProvider
  workspace: WorkspaceInspector
  defaultModel: string
  permissionMode: z.infer<typeof PermissionModeOption>
  /** How long a permission prompt waits for an answer before it is denied (default 10 min). */
  permissionTimeoutMs?: number
  maxTurns?: number
  logger?: AgentLogger
  /**
   * What the session's model calls since `startedAt` (ms) came to, as the router recorded them: tokens and
   * a cost from the price table of the configured models (null when unknown). Claude Code's own figure
   * prices every model as Claude, so it is not used.
   */
  turnUsage?: (sessionId: string, startedAt: number) => TurnUsage
  /** Asks `model` for a short title from `prompt` (session-title.ts); undefined when it cannot. */
  titleFor?: TitleFor
  /** Told when a turn ends (for metrics). */
  onTurnEnd?: (turn: { durationMs: number; outcome: 'ok' | 'error' | 'interrupted' }) => void
  now?: () => number
}
