/** OpenAI `finish_reason` -> Anthropic `stop_reason` (conformance case 10). */

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'tool_use' | 'refusal' | 'stop_sequence'

export function mapStopReason(
  finishReason: string | null | undefined,
  hasToolCalls: boolean,
): AnthropicStopReason {
  switch (finishReason) {
    case 'length':
      return 'max_tokens'
    case 'content_filter':
      return 'refusal'
    case 'tool_calls':
    case 'function_call':
      return 'tool_use'
    default:
      // Some providers answer `stop` (or nothing) after tool calls.
      return hasToolCalls ? 'tool_use' : 'end_turn'
  }
}
