/**
 * Anthropic Messages answers -> OpenAI chat-completions answers, for `POST /v1/chat/completions` on an
 * `anthropic/*` model: the JSON message, the shared stop-reason and usage mappings, and the response schema.
 */
import { z } from 'zod'

export const AnthropicUsageIn = z.looseObject({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
})
export type AnthropicUsageIn = z.infer<typeof AnthropicUsageIn>

const ResponseBlock = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  thinking: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
})

export const AnthropicMessageIn = z.looseObject({
  id: z.string(),
  content: z.array(ResponseBlock),
  stop_reason: z.string().nullish(),
  usage: AnthropicUsageIn.nullish(),
})
export type AnthropicMessageIn = z.infer<typeof AnthropicMessageIn>

export function finishReason(stopReason: string | null | undefined): string {
  switch (stopReason) {
    case 'max_tokens':
      return 'length'
    case 'tool_use':
      return 'tool_calls'
    case 'refusal':
      return 'content_filter'
    default:
      return 'stop'
  }
}

export interface ChatUsage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
  prompt_tokens_details: { cached_tokens: number }
}

/** Anthropic reports cached input apart; OpenAI counts it inside `prompt_tokens`. */
export function chatUsage(usage: AnthropicUsageIn | null | undefined): ChatUsage {
  const cached = usage?.cache_read_input_tokens ?? 0
  const prompt = (usage?.input_tokens ?? 0) + cached + (usage?.cache_creation_input_tokens ?? 0)
  const completion = usage?.output_tokens ?? 0
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached },
  }
}

export function anthropicMessageToChat(
  message: AnthropicMessageIn,
  requestedModel: string,
): Record<string, unknown> {
  const text: string[] = []
  const reasoning: string[] = []
  const toolCalls: Record<string, unknown>[] = []
  for (const block of message.content) {
    if (block.type === 'text' && block.text) text.push(block.text)
    else if (block.type === 'thinking' && block.thinking) reasoning.push(block.thinking)
    else if (block.type === 'tool_use')
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      })
  }
  const assistant: Record<string, unknown> = {
    role: 'assistant',
    content: text.length > 0 ? text.join('') : null,
  }
  if (reasoning.length > 0) assistant.reasoning_content = reasoning.join('')
  if (toolCalls.length > 0) assistant.tool_calls = toolCalls
  return {
    id: `chatcmpl-${message.id}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: requestedModel,
    choices: [
      { index: 0, message: assistant, finish_reason: finishReason(message.stop_reason), logprobs: null },
    ],
    usage: chatUsage(message.usage),
  }
}
