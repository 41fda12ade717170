/**
 * The OpenAI chat-completions request as `POST /v1/chat/completions` reads it: loose, since the body is passed
 * through to OpenAI-compatible providers as received (only `model` is rewritten); the fields named here are
 * the ones the translation to Anthropic needs.
 */
import { z } from 'zod'
import { JsonObject } from './json-object.js'

export const ChatContentPart = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  image_url: z.union([z.string(), z.looseObject({ url: z.string() })]).optional(),
})

export const ChatToolCall = z.looseObject({
  id: z.string().optional(),
  type: z.string().optional(),
  function: z.looseObject({ name: z.string(), arguments: z.string().nullish() }),
})

export const ChatMessage = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(ChatContentPart)]).nullish(),
  tool_calls: z.array(ChatToolCall).nullish(),
  tool_call_id: z.string().optional(),
  name: z.string().optional(),
  reasoning_content: z.string().nullish(),
})
export type ChatMessage = z.infer<typeof ChatMessage>

export const ChatTool = z.looseObject({
  type: z.string().optional(),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: JsonObject.optional(),
  }),
})

export const ChatToolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  z.looseObject({ type: z.string().optional(), function: z.looseObject({ name: z.string() }) }),
])

export const OpenAIChatBody = z.looseObject({
  model: z.string().min(1, 'model is required'),
  messages: z.array(ChatMessage).min(1, 'messages must not be empty'),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  tools: z.array(ChatTool).nullish(),
  tool_choice: ChatToolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  user: z.string().optional(),
})
export type OpenAIChatBody = z.infer<typeof OpenAIChatBody>
