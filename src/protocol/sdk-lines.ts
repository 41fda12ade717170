/**
 * The parts of the Claude Agent SDK's message stream (as NDJSON lines from the container server) that the agent
 * reads, as zod schemas. Lines are untrusted: anything that does not match is ignored, never guessed at.
 */
import { z } from 'zod'
import {
  ContainerErrorLine,
  PermissionRequestLine,
  TranscriptLostLine,
  WorkspaceNoticeLine,
} from './container-lines.js'

const TextBlock = z.object({ type: z.literal('text'), text: z.string() })
const ToolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
})
const ToolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  is_error: z.boolean().optional(),
  content: z.unknown().optional(),
})
const OtherBlock = z.object({ type: z.string() }).loose()

export const SdkSystemInit = z
  .object({
    type: z.literal('system'),
    subtype: z.literal('init'),
    session_id: z.string(),
    model: z.string().optional(),
  })
  .loose()

export const SdkAssistant = z
  .object({
    type: z.literal('assistant'),
    message: z.object({ content: z.array(z.union([TextBlock, ToolUseBlock, OtherBlock])) }).loose(),
    parent_tool_use_id: z.string().nullable().optional(),
    session_id: z.string().optional(),
    /** Set when Claude Code made this message up to report a failed model call ('server_error', …). */
    error: z.string().optional(),
  })
  .loose()

export const SdkUser = z
  .object({
    type: z.literal('user'),
    message: z
      .object({ content: z.union([z.string(), z.array(z.union([ToolResultBlock, OtherBlock]))]) })
      .loose(),
    session_id: z.string().optional(),
    parent_tool_use_id: z.string().nullable().optional(),
    /** What the tool returned, structured (a Write's or Edit's `structuredPatch`, a command's stdout…). */
    tool_use_result: z.unknown().optional(),
  })
  .loose()

export const SdkResult = z
  .object({
    type: z.literal('result'),
    subtype: z.string(),
    is_error: z.boolean().optional(),
    result: z.string().optional(),
    errors: z.array(z.string()).optional(),
    session_id: z.string().optional(),
    duration_ms: z.number().optional(),
    num_turns: z.number().optional(),
    total_cost_usd: z.number().optional(),
    usage: z
      .object({ input_tokens: z.number().optional(), output_tokens: z.number().optional() })
      .loose()
      .optional(),
    /** Per model: Claude Code's view of its use, with the context window it compacts against. */
    modelUsage: z.record(z.string(), z.object({ contextWindow: z.number().optional() }).loose()).optional(),
  })
  .loose()

export const SdkStreamEvent = z
  .object({
    type: z.literal('stream_event'),
    event: z
      .object({
        type: z.string(),
        delta: z.object({ type: z.string(), text: z.string().optional() }).loose().optional(),
      })
      .loose(),
    parent_tool_use_id: z.string().nullable().optional(),
  })
  .loose()

export const SdkLine = z.union([
  SdkSystemInit,
  SdkAssistant,
  SdkUser,
  SdkResult,
  SdkStreamEvent,
  ContainerErrorLine,
  PermissionRequestLine,
  TranscriptLostLine,
  WorkspaceNoticeLine,
])
export type SdkLine = z.infer<typeof SdkLine>
export type SdkResult = z.infer<typeof SdkResult>
