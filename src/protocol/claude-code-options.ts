/**
 * The seed's ClaudeCodeOptions: the body of `POST /` on the container server (and of the legacy
 * `POST /claude-code`). The agent layer and the container server both speak it.
 */
import { z } from 'zod'
import { MAX_MESSAGE_CHARS, ModelName, SessionId } from './events.js'

/** Room a prompt has beyond the largest message, for a conversation restored ahead of it (agent/restored-history.ts). */
export const RESTORED_HISTORY_CHARS = 40_000

export const PermissionModeOption = z.enum(['acceptEdits', 'default', 'bypassPermissions', 'plan'])

export const ClaudeCodeOptions = z.object({
  prompt: z
    .string()
    .min(1, 'prompt must not be empty')
    .max(MAX_MESSAGE_CHARS + RESTORED_HISTORY_CHARS),
  model: ModelName.optional(),
  /** The agent-router session this run belongs to (its workspace is used). */
  sessionId: SessionId.optional(),
  /** Claude Code's own session id to resume (the seed's `resumeSessionId`). */
  resumeSessionId: z.string().min(1).max(128).optional(),
  continueSession: z.boolean().optional(),
  systemPrompt: z.string().max(100_000).optional(),
  appendSystemPrompt: z.string().max(100_000).optional(),
  maxTurns: z.number().int().min(1).max(1000).optional(),
  allowedTools: z.array(z.string().max(256)).max(256).optional(),
  permissionMode: PermissionModeOption.optional(),
  stream: z.boolean().optional(),
  verbose: z.boolean().optional(),
  /** Ignored inside a sandbox (the workspace is fixed); kept for seed compatibility. */
  cwd: z.string().max(4096).optional(),
})
export type ClaudeCodeOptions = z.infer<typeof ClaudeCodeOptions>
