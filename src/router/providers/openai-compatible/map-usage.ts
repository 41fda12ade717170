/** OpenAI `usage` -> Anthropic `usage`: cached prompt tokens are reported apart, as Anthropic does. */
import type { AnthropicUsage } from '../../wire/anthropic-sse.js'
import type { OpenAIUsage } from '../../wire/openai-schema.js'

export function mapUsage(usage: OpenAIUsage | null | undefined): AnthropicUsage {
  const prompt = usage?.prompt_tokens ?? 0
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0
  const out: AnthropicUsage = {
    input_tokens: Math.max(0, prompt - cached),
    output_tokens: usage?.completion_tokens ?? 0,
  }
  if (cached > 0) out.cache_read_input_tokens = cached
  return out
}
