/**
 * What one line of a turn's stream (a Claude Agent SDK message, or a line the container adds) means for the
 * session: the events to persist and send, partial text to pass on, and the state it changes. Pure, so the
 * mapping is tested on recorded lines; the session actor applies the effects.
 */
import type { TranscriptLostLine } from '../protocol/container-lines.js'
import type { NewEvent, NoticeData } from '../protocol/events.js'
import { SdkLine, type SdkResult } from '../protocol/sdk-lines.js'
import { summarizeToolUse } from './summarize-tool-use.js'
import { toolResultPatch } from './tool-result-patch.js'

/** How much of a tool's result text travels in its `tool_result` event. */
export const TOOL_RESULT_CHARS = 4000

export interface LineEffects {
  /** To persist and send, in order. */
  events: NewEvent[]
  /** Partial assistant text (`text_delta`, not persisted). */
  delta?: string
  /** Claude Code's session id, for the next turn's resume. */
  claudeSessionId?: string
  toolsStarted: { id: string; name: string }[]
  toolsFinished: string[]
  /** A tool ran: the workspace may have changed. */
  toolResultSeen: boolean
  /** A tool waits for permission; answer it on the container. */
  permission?: { requestId: string; tool: string; input: unknown }
  /** The turn's final SDK result. */
  final?: SdkResult
  /** The container reported a failure of the run. */
  failure?: string
  /** The turn did not run: the Claude Code session to resume lost its transcript. */
  transcriptLost?: TranscriptLostLine
}

function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .map((part) => (typeof part === 'object' && part !== null && 'text' in part ? String(part.text) : ''))
    .filter((t) => t !== '')
    .join('\n')
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters)` : text
}

/** A tool input's `file_path` relative to the workspace, when it lies inside it. */
function workspaceRelative(input: unknown, workspacePath: string): string | undefined {
  const file =
    typeof input === 'object' && input !== null ? (input as { file_path?: unknown }).file_path : undefined
  if (typeof file !== 'string') return undefined
  const base = workspacePath.endsWith('/') ? workspacePath : `${workspacePath}/`
  const rest = file.startsWith(base) ? file.slice(base.length) : undefined
  return rest === undefined || rest === '' || rest.split('/').includes('..') ? undefined : rest
}

/** The effects of one raw line; undefined for lines that mean nothing to the session (or are malformed). */
export function sdkLineToEffects(raw: unknown, workspacePath: string): LineEffects | undefined {
  const parsed = SdkLine.safeParse(raw)
  if (!parsed.success) return undefined
  const line = parsed.data
  const fx: LineEffects = { events: [], toolsStarted: [], toolsFinished: [], toolResultSeen: false }
  switch (line.type) {
    case 'system':
      fx.claudeSessionId = line.session_id
      break
    case 'assistant': {
      // A failed model call comes as a made-up assistant message and again as the error result: the person
      // sees it once, as the turn's `error` event. Subagents' text stays inside their tool call.
      const reportsFailure = line.error !== undefined && line.error !== 'max_output_tokens'
      for (const block of line.message.content) {
        if (block.type === 'text' && 'text' in block && typeof block.text === 'string') {
          if (block.text.trim() !== '' && line.parent_tool_use_id == null && !reportsFailure)
            fx.events.push({ type: 'result', content: block.text })
        } else if (block.type === 'tool_use' && 'id' in block && 'name' in block) {
          const { id, name, input } = block as { id: string; name: string; input: unknown }
          fx.toolsStarted.push({ id, name })
          fx.events.push({
            type: 'tool_use',
            content: summarizeToolUse(name, input, workspacePath),
            data: {
              id,
              name,
              input,
              ...(typeof line.parent_tool_use_id === 'string' && { parentId: line.parent_tool_use_id }),
              ...(workspaceRelative(input, workspacePath) !== undefined && {
                path: workspaceRelative(input, workspacePath),
              }),
            },
          })
        }
      }
      break
    }
    case 'user': {
      if (typeof line.message.content === 'string') break
      const results = line.message.content.filter((b) => b.type === 'tool_result')
      // The structured result belongs to the message's one tool result.
      const patch = results.length === 1 ? toolResultPatch(line.tool_use_result) : undefined
      for (const block of line.message.content) {
        if (block.type !== 'tool_result' || !('tool_use_id' in block)) continue
        const { tool_use_id, is_error, content } = block as {
          tool_use_id: string
          is_error?: boolean
          content?: unknown
        }
        fx.toolResultSeen = true
        fx.toolsFinished.push(tool_use_id)
        fx.events.push({
          type: 'tool_result',
          data: {
            toolUseId: tool_use_id,
            isError: is_error === true,
            content: clip(toolResultText(content), TOOL_RESULT_CHARS),
            ...patch,
          },
        })
      }
      break
    }
    case 'stream_event':
      if (line.event.delta?.type === 'text_delta' && line.event.delta.text && line.parent_tool_use_id == null)
        fx.delta = line.event.delta.text
      break
    case 'result':
      fx.final = line
      if (line.session_id !== undefined) fx.claudeSessionId = line.session_id
      break
    case 'error':
      fx.failure = line.error.message
      break
    case 'permission_request': {
      const path = workspaceRelative(line.input, workspacePath)
      fx.events.push({
        type: 'permission_request',
        content: `Allow ${summarizeToolUse(line.toolName, line.input, workspacePath)}?`,
        data: {
          requestId: line.requestId,
          tool: line.toolName,
          input: line.input,
          ...(line.reason !== undefined && { reason: line.reason }),
          ...(path !== undefined && { path }),
        },
      })
      fx.permission = { requestId: line.requestId, tool: line.toolName, input: line.input }
      break
    }
    case 'transcript_lost':
      fx.transcriptLost = line
      break
    case 'workspace_notice': {
      const data: NoticeData = { kind: line.kind, message: line.message }
      fx.events.push({ type: 'notice', content: line.message, data })
      break
    }
  }
  return fx
}
