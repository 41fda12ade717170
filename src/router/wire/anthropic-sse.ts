/** Anthropic streaming events and their SSE encoding (`event: <type>\ndata: <json>\n\n`). */

export interface AnthropicUsage {
  input_tokens: number
  output_tokens: number
  cache_read_input_tokens?: number
}

export type AnthropicContentBlockStart =
  | { type: 'text'; text: '' }
  | { type: 'thinking'; thinking: ''; signature: '' }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, never> }

export type AnthropicDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'input_json_delta'; partial_json: string }

export type AnthropicStreamEvent =
  | {
      type: 'message_start'
      message: {
        id: string
        type: 'message'
        role: 'assistant'
        model: string
        content: []
        stop_reason: null
        stop_sequence: null
        usage: AnthropicUsage
      }
    }
  | { type: 'content_block_start'; index: number; content_block: AnthropicContentBlockStart }
  | { type: 'content_block_delta'; index: number; delta: AnthropicDelta }
  | { type: 'content_block_stop'; index: number }
  | {
      type: 'message_delta'
      delta: { stop_reason: string; stop_sequence: null }
      usage: AnthropicUsage
    }
  | { type: 'message_stop' }
  | { type: 'error'; error: { type: string; message: string } }

const encoder = new TextEncoder()

/** One event as SSE text. */
export function sseEventText(event: AnthropicStreamEvent): string {
  if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
    // The most frequent event, spelled out: the same bytes as JSON.stringify of the object in this key order.
    return `event: content_block_delta\ndata: {"type":"content_block_delta","index":${event.index},"delta":{"type":"text_delta","text":${JSON.stringify(event.delta.text)}}}\n\n`
  }
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`
}

export function encodeSseEvent(event: AnthropicStreamEvent): Uint8Array {
  return encoder.encode(sseEventText(event))
}
