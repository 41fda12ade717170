/**
 * The WebSocket protocol of DESIGN.md as zod schemas: inbound frames from clients and the outbound event
 * union shared by server, agent and UI. Every outbound event except `text_delta` carries a `seq`.
 */
import { z } from 'zod'
import { NO_PATCH_REASONS } from './patch-bounds.js'
import { EVENT_TYPES, SESSION_ID_PATTERN } from './wire-event.js'

export { SESSION_ID_PATTERN }

export const SessionId = z.string().regex(SESSION_ID_PATTERN, 'session ids match ^[A-Za-z0-9_-]{1,64}$')

/** Largest user message accepted, in characters. */
export const MAX_MESSAGE_CHARS = 200_000
/** A model name: it reaches a sandbox's environment and command lines, so no control characters. */
export const ModelName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^\P{Cc}+$/u, 'model names have no control characters')

export const UserMessageFrame = z.object({
  type: z.literal('user_message'),
  content: z.string().min(1, 'content must not be empty').max(MAX_MESSAGE_CHARS),
  model: ModelName.optional(),
  timestamp: z.number().optional(),
})
export type UserMessageFrame = z.infer<typeof UserMessageFrame>

export const InterruptFrame = z.object({ type: z.literal('interrupt') })
export type InterruptFrame = z.infer<typeof InterruptFrame>

/** An "always allow" rule of a session (see permission-rules.ts). */
export const PermissionRuleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('tool'), tool: z.string().min(1).max(200) }),
  z.object({ kind: z.literal('prefix'), tool: z.literal('Bash'), prefix: z.string().min(1).max(200) }),
])
export const RememberKindSchema = z.enum(['tool', 'prefix'])

/** How long a reason given with a denial may be (it is sent to Claude Code). */
export const MAX_DENY_REASON_CHARS = 2000

/**
 * The answer to a permission prompt: `remember` (with `allow`) stores an "always allow" rule for the tool or
 * the Bash command's prefix in this session; `message` (with a denial) tells the agent why.
 */
export const PermissionAnswer = z.object({
  allow: z.boolean(),
  remember: RememberKindSchema.optional(),
  message: z.string().trim().max(MAX_DENY_REASON_CHARS).optional(),
})
export type PermissionAnswer = z.infer<typeof PermissionAnswer>

export const PermissionResponseFrame = PermissionAnswer.extend({
  type: z.literal('permission_response'),
  requestId: z.string().min(1).max(128),
})
export type PermissionResponseFrame = z.infer<typeof PermissionResponseFrame>

/** Withdraws a queued message (the `seq` of its `user_message`) before its turn starts. */
export const CancelQueuedFrame = z.object({
  type: z.literal('cancel_queued'),
  seq: z.number().int().positive(),
})
export type CancelQueuedFrame = z.infer<typeof CancelQueuedFrame>

export const InboundFrame = z.discriminatedUnion('type', [
  UserMessageFrame,
  InterruptFrame,
  PermissionResponseFrame,
  CancelQueuedFrame,
])
export type InboundFrame = z.infer<typeof InboundFrame>

export const EventType = z.enum(EVENT_TYPES)
export type EventType = z.infer<typeof EventType>
export { EVENT_TYPES }

/**
 * `parentId`: the Task (subagent) tool call this one runs inside; absent for the agent's own calls. `path`: the
 * file the tool works on (its `file_path`), relative to the workspace, when it lies inside.
 */
export const ToolUseData = z.object({
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
  parentId: z.string().optional(),
  path: z.string().optional(),
})
/** One hunk of a unified diff: `lines` start with ' ', '+' or '-' (jsdiff's and Claude Code's shape). */
export const PatchHunk = z.object({
  oldStart: z.number().int(),
  oldLines: z.number().int(),
  newStart: z.number().int(),
  newLines: z.number().int(),
  lines: z.array(z.string()),
})
export type PatchHunk = z.infer<typeof PatchHunk>
/**
 * `patch`: the change a Write, Edit or MultiEdit made, as Claude Code reported it (bounded; `patchClipped`
 * when lines were left out).
 */
export const ToolResultData = z.object({
  toolUseId: z.string(),
  isError: z.boolean(),
  /** The result's text, cut to a few thousand characters. */
  content: z.string().optional(),
  patch: z.array(PatchHunk).optional(),
  patchClipped: z.literal(true).optional(),
})
export const PermissionRequestData = z.object({
  requestId: z.string(),
  tool: z.string(),
  input: z.unknown(),
  /** Why Claude Code asks, in its words. */
  reason: z.string().optional(),
  /** The file the tool would write, relative to the workspace (when it is inside). */
  path: z.string().optional(),
})
/**
 * `rule`: the "always allow" rule that answered the request (`byRule`), or that this answer stored.
 * `message`: the reason a denial gave the agent.
 */
export const PermissionResponseData = z.object({
  requestId: z.string(),
  allow: z.boolean(),
  timedOut: z.boolean().optional(),
  rule: PermissionRuleSchema.optional(),
  byRule: z.boolean().optional(),
  message: z.string().optional(),
})
export type PermissionResponseData = z.infer<typeof PermissionResponseData>

/** A queued message was withdrawn before its turn started: `seq` is its `user_message`'s. */
export const MessageCancelledData = z.object({ seq: z.number().int().positive() })
export type MessageCancelledData = z.infer<typeof MessageCancelledData>

/**
 * What became of a file's text between two workspace snapshots, for a change no file tool reported: `patch`
 * (bounded like `tool_result`'s, `patchClipped` when lines were left out), or `noPatch` saying why there is
 * none: the file is not UTF-8 text, it is over `MAX_DIFF_FILE_BYTES`, its previous text was not kept (the
 * workspace's text is over the budget the snapshot side keeps), or the step changed too many lines in all.
 */
export const FileDiff = z.object({
  patch: z.array(PatchHunk).optional(),
  patchClipped: z.literal(true).optional(),
  noPatch: z.enum(NO_PATCH_REASONS).optional(),
})
export type FileDiff = z.infer<typeof FileDiff>

/**
 * A created or modified file's change carries its `FileDiff` unless a file tool's `tool_result` already
 * showed the same step's change of that path.
 */
export const FileChangeData = z.object({
  path: z.string(),
  action: z.enum(['created', 'modified', 'deleted']),
  ...FileDiff.shape,
})
export type FileChangeData = z.infer<typeof FileChangeData>

/**
 * A quiet line in the conversation about the session itself, not an error. `memory_restored`: Claude Code's
 * record of the conversation was lost, and a new Claude Code session was given the conversation rebuilt from
 * this event log (`turns` of them). `workspace_not_saved` / `workspace_not_restored`: see below.
 */
export const NoticeData = z.union([
  z.object({ kind: z.literal('memory_restored'), turns: z.number().int() }),
  /**
   * The host keeps a copy of the workspace and transcripts while the container sleeps (Cloudflare), and this
   * turn's copy was not saved, or the saved one could not be put back; `message` says why and what to do.
   */
  z.object({ kind: z.enum(['workspace_not_saved', 'workspace_not_restored']), message: z.string() }),
])
export type NoticeData = z.infer<typeof NoticeData>

export const StatusData = z
  .object({
    isRunning: z.boolean(),
    model: z.string(),
    container: z.string(),
  })
  .catchall(z.unknown())
export type StatusData = z.infer<typeof StatusData>

/** An event as persisted and sent: `seq` is 1, 2, 3… per session. */
export const SessionEvent = z.object({
  type: EventType,
  content: z.string().optional(),
  data: z.unknown().optional(),
  seq: z.number().int().positive(),
  timestamp: z.number(),
  sessionId: z.string(),
})
export type SessionEvent = z.infer<typeof SessionEvent>

/** An event before it is given its `seq` by the store. */
export type NewEvent = Omit<SessionEvent, 'seq' | 'timestamp' | 'sessionId'> & { timestamp?: number }

/** Partial assistant text; never persisted, no `seq`. */
export interface TextDeltaEvent {
  type: 'text_delta'
  content: string
  timestamp: number
  sessionId: string
}

/** The state snapshot sent after a replay; like `text_delta` it has no `seq` and is not persisted. */
export interface StatusSnapshot {
  type: 'status'
  data: StatusData
  timestamp: number
  sessionId: string
}

/** The answer to a bad inbound frame: sent only to the client that sent it, not persisted, no `seq`. */
export interface FrameError {
  type: 'error'
  content: string
  timestamp: number
  sessionId: string
}

export type OutboundEvent = SessionEvent | TextDeltaEvent | StatusSnapshot | FrameError
