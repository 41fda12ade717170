/**
 * The Anthropic Messages request as the router reads it. Loose on purpose: fields the router does not use
 * (`context_management`, `output_config`, `metadata`, `cache_control`, …) are accepted and never forwarded to
 * OpenAI-compatible providers; unknown content block types become `{type: 'unsupported'}`.
 */
import { z } from 'zod'
import { JsonObject } from './json-object.js'

export const TextBlock = z.looseObject({ type: z.literal('text'), text: z.string() })

export const ImageSource = z.union([
  z.looseObject({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
  z.looseObject({ type: z.literal('url'), url: z.string() }),
])

export const ImageBlock = z.looseObject({ type: z.literal('image'), source: ImageSource })

export const ToolUseBlock = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
})

export const ToolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z
    .union([z.string(), z.array(z.union([TextBlock, ImageBlock, z.looseObject({ type: z.string() })]))])
    .optional(),
  is_error: z.boolean().optional(),
})

export const ThinkingBlock = z.looseObject({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string().optional(),
})

export const RedactedThinkingBlock = z.looseObject({ type: z.literal('redacted_thinking') })

export const DocumentBlock = z.looseObject({ type: z.literal('document'), source: z.unknown() })

export const UnsupportedBlock = z.object({ type: z.literal('unsupported'), original: z.string() })

const KNOWN = new Set([
  'text',
  'image',
  'tool_use',
  'tool_result',
  'thinking',
  'redacted_thinking',
  'document',
])

export const ContentBlock = z.preprocess(
  (v) =>
    typeof v === 'object' && v !== null && 'type' in v && typeof v.type === 'string' && !KNOWN.has(v.type)
      ? { type: 'unsupported', original: v.type }
      : v,
  z.discriminatedUnion('type', [
    TextBlock,
    ImageBlock,
    ToolUseBlock,
    ToolResultBlock,
    ThinkingBlock,
    RedactedThinkingBlock,
    DocumentBlock,
    UnsupportedBlock,
  ]),
)
export type ContentBlock = z.infer<typeof ContentBlock>

export const MessageParam = z.looseObject({
  /** Claude Code also sends `system` entries inside `messages` (e.g. `Primary working directory: …`). */
  role: z.enum(['user', 'assistant', 'system']),
  content: z.union([z.string(), z.array(ContentBlock)]),
})
export type MessageParam = z.infer<typeof MessageParam>

export const ToolDefinition = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  /** Absent on Anthropic server tools (`web_search_…`), which OpenAI-compatible providers cannot run. */
  input_schema: JsonObject.optional(),
  type: z.string().optional(),
})
export type ToolDefinition = z.infer<typeof ToolDefinition>

export const ToolChoice = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({
    type: z.literal('tool'),
    name: z.string(),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
  z.looseObject({ type: z.literal('none') }),
])
export type ToolChoice = z.infer<typeof ToolChoice>

export const ThinkingParam = z.looseObject({
  type: z.string(),
  budget_tokens: z.number().optional(),
})

export const MessagesRequest = z.looseObject({
  model: z.string().min(1, 'model is required'),
  messages: z.array(MessageParam),
  system: z.union([z.string(), z.array(ContentBlock)]).optional(),
  max_tokens: z.number().int().positive(),
  stream: z.boolean().optional(),
  tools: z.array(ToolDefinition).optional(),
  tool_choice: ToolChoice.optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  top_k: z.number().optional(),
  thinking: ThinkingParam.optional(),
})
export type MessagesRequest = z.infer<typeof MessagesRequest>
