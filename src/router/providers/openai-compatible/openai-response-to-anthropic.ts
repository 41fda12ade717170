/** A non-streaming OpenAI chat completion -> an Anthropic Messages response. */
import type { AnthropicUsage } from '../../wire/anthropic-sse.js'
import type { ChatCompletion } from '../../wire/openai-schema.js'
import { type AnthropicStopReason, mapStopReason } from './map-stop-reason.js'
import { mapUsage } from './map-usage.js'
import { ToolCallAccumulator } from './tool-call-accumulator.js'

export type AnthropicResponseBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }

export interface AnthropicMessage {
  id: string
  type: 'message'
  role: 'assistant'
  model: string
  content: AnthropicResponseBlock[]
  stop_reason: AnthropicStopReason
  stop_sequence: null
  usage: AnthropicUsage
}

export function openAIResponseToAnthropic(
  completion: ChatCompletion,
  requestedModel: string,
): AnthropicMessage {
  const upstreamId = completion.id ? completion.id.replace(/[^a-zA-Z0-9_-]/g, '_') : ''
  const id = `msg_${upstreamId || crypto.randomUUID().replace(/-/g, '')}`
  const thinking: string[] = []
  const text: string[] = []
  const tools = new ToolCallAccumulator()
  const finishReasons: string[] = []
  let n = 0
  for (const choice of completion.choices) {
    const m = choice.message
    const reasoning = m.reasoning_content ?? m.reasoning
    if (reasoning) thinking.push(reasoning)
    if (m.content) text.push(m.content)
    for (const call of m.tool_calls ?? []) {
      tools.add({
        index: n++,
        id: call.id,
        function: { name: call.function.name, arguments: call.function.arguments },
      })
    }
    if (choice.finish_reason) finishReasons.push(choice.finish_reason)
  }
  const content: AnthropicResponseBlock[] = []
  if (thinking.length > 0) content.push({ type: 'thinking', thinking: thinking.join('\n'), signature: '' })
  // Never an empty text block (Claude Code replays it and the next request fails).
  if (text.join('') !== '') content.push({ type: 'text', text: text.join('\n') })
  const calls = tools.finish(id.slice(4))
  for (const call of calls) {
    content.push({ type: 'tool_use', id: call.id, name: call.name, input: JSON.parse(call.inputJson) })
  }
  const finish =
    ['length', 'content_filter', 'tool_calls'].find((r) => finishReasons.includes(r)) ?? finishReasons[0]
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: requestedModel,
    content,
    stop_reason: mapStopReason(finish, calls.length > 0),
    stop_sequence: null,
    usage: mapUsage(completion.usage),
  }
}
