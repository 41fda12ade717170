/**
 * The container server's own wire with the agent, besides the Claude Agent SDK's messages it streams: the
 * lines it adds to a turn's NDJSON stream (a failure, a permission request, a lost transcript, and the host's
 * word on the workspace copy) and the answer
 * to a permission request (`POST /permissions/:requestId`). The container writes what the agent reads through
 * these schemas, and the other way round.
 */
import { z } from 'zod'
import type { AppError } from './errors.js'

/**
 * Why a Claude Code session cannot be resumed: its transcript file is `missing` (none, an empty one, or one
 * removed under a live query), `unreadable` (a line does not parse, or it shrank under a live query), or
 * Claude Code itself found `no_conversation` in it.
 */
export const TranscriptLoss = z.enum(['missing', 'unreadable', 'no_conversation'])
export type TranscriptLoss = z.infer<typeof TranscriptLoss>

/**
 * The turn did not run: the Claude Code session it was to resume lost its transcript. The container has
 * dropped that session, so a turn sent without `resumeSessionId` starts a new one; the agent sends the turn
 * again that way, with the conversation restored from its own event log.
 */
export const TranscriptLostLine = z.object({
  type: z.literal('transcript_lost'),
  claudeSessionId: z.string(),
  reason: TranscriptLoss,
  /** What was found, for logs. */
  detail: z.string(),
})
export type TranscriptLostLine = z.infer<typeof TranscriptLostLine>

/** A failure written by the container server itself (its AppError, in the shape of the HTTP error bodies). */
export const ContainerErrorLine = z.object({
  type: z.literal('error'),
  error: z.object({ type: z.string(), message: z.string() }),
})
export type ContainerErrorLine = z.infer<typeof ContainerErrorLine>

/** The line that reports `error` in a turn's stream. */
export function containerErrorLine(error: AppError): ContainerErrorLine {
  return { type: 'error', ...error.toJSON() }
}

/**
 * What became of the session's workspace copy, for a host that keeps one while the container sleeps
 * (Cloudflare): written into the turn's stream by the host, not the container server, and shown as a `notice`.
 */
export const WorkspaceNoticeLine = z.object({
  type: z.literal('workspace_notice'),
  kind: z.enum(['workspace_not_saved', 'workspace_not_restored']),
  message: z.string(),
})
export type WorkspaceNoticeLine = z.infer<typeof WorkspaceNoticeLine>

/** A tool asks for permission (from Claude Code's `canUseTool`); answered with a PermissionDecision. */
export const PermissionRequestLine = z.object({
  type: z.literal('permission_request'),
  requestId: z.string().min(1).max(128),
  toolName: z.string(),
  input: z.unknown(),
  toolUseId: z.string().optional(),
  /** Why Claude Code asks, in its words (e.g. "This command requires approval"). */
  reason: z.string().optional(),
})
export type PermissionRequestLine = z.infer<typeof PermissionRequestLine>

/** The answer to a permission request: `message` tells Claude Code why it was denied. */
export const PermissionDecision = z.object({
  allow: z.boolean(),
  message: z.string().max(4000).optional(),
})
export type PermissionDecision = z.infer<typeof PermissionDecision>
