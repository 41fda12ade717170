/**
 * Lines the container server adds to a turn's NDJSON stream besides the Claude Agent SDK's own messages, for
 * the agent to act on. The container writes them and the agent reads them through these schemas.
 */
import { z } from 'zod'

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
